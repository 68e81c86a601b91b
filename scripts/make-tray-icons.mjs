// Draws the tray icons into resources/tray/: <state>-<bar>.png (16 px) and @2x (32 px), for
// idle, call, muted, sharing, dnd (do not disturb) and transfer on a light or a dark menu bar
// (electron/core/tray/menu.ts picks one; trayIconStates lists them).
// Run: node scripts/make-tray-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const INK = { light: [40, 40, 40], dark: [235, 235, 235] };
const GREEN = [46, 160, 67];
const RED = [218, 54, 51];
const BLUE = [31, 111, 235];
const AMBER = [210, 153, 34];
const STATES = ['idle', 'call', 'muted', 'sharing', 'dnd', 'transfer'];

/**
 * Colour at (x, y) in a 16-unit square, or null: the ring is the app, its centre says the state:
 * a green dot (call), a red dot struck through (muted), a blue screen (sharing), an amber bar (do not
 * disturb), a blue arrow down (transfer).
 */
function centre(state, bar, x, y, d) {
  switch (state) {
    case 'call':
      return d <= 4.5 ? GREEN : null;
    case 'muted':
      if (Math.abs(x - y) < 1.2 && d < 7.5) return INK[bar];
      return d <= 4.5 ? RED : null;
    case 'sharing':
      return Math.abs(x - 8) <= 3.5 && Math.abs(y - 7.5) <= 2.5 ? BLUE : null;
    case 'dnd':
      return Math.abs(x - 8) <= 3.5 && Math.abs(y - 8) <= 1.1 ? AMBER : null;
    case 'transfer':
      if (Math.abs(x - 8) <= 1 && y >= 4 && y <= 9) return BLUE;
      return y >= 8 && y <= 12 && Math.abs(x - 8) <= 12 - y ? BLUE : null;
    default:
      return null;
  }
}

function shade(state, bar, x, y) {
  const d = Math.hypot(x - 8, y - 8);
  const inner = centre(state, bar, x, y, d);
  if (inner) return inner;
  if (d >= 5.5 && d <= 7.5) return INK[bar];
  return null;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => (bytes.reduce((c, byte) => crcTable[(c ^ byte) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size, state, bar) {
  const samples = 4;
  const rows = Buffer.alloc((size * 4 + 1) * size);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let s = 0; s < samples * samples; s++) {
        const colour = shade(state, bar, ((px + ((s % samples) + 0.5) / samples) / size) * 16, ((py + (Math.floor(s / samples) + 0.5) / samples) / size) * 16);
        if (colour) [0, 1, 2].forEach((i) => (sum[i] += colour[i])), (sum[3] += 1);
      }
      const o = py * (size * 4 + 1) + 1 + px * 4;
      if (sum[3]) rows.set([...sum.slice(0, 3).map((v) => Math.round(v / sum[3])), Math.round((255 * sum[3]) / samples ** 2)], o);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

mkdirSync('resources/tray', { recursive: true });
for (const state of STATES) {
  for (const bar of ['light', 'dark']) {
    writeFileSync(`resources/tray/${state}-${bar}.png`, png(16, state, bar));
    writeFileSync(`resources/tray/${state}-${bar}@2x.png`, png(32, state, bar));
  }
}
console.log(`wrote resources/tray/{${STATES.join(',')}}-{light,dark}{,@2x}.png`);
