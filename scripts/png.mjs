// Draws a square picture from a description and encodes it as PNG (RGBA, 8 bits), for the icon
// scripts: `shade(x, y)` gives the colour [r, g, b] at a point of a `units`-wide square, or null for
// transparent; each pixel averages 4 x 4 samples, so edges are smooth.
import { deflateSync } from 'node:zlib';

const SAMPLES = 4;

export function renderPng(size, units, shade) {
  const rows = Buffer.alloc((size * 4 + 1) * size); // each row starts with filter type 0
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const colour = shade(((px + (sx + 0.5) / SAMPLES) / size) * units, ((py + (sy + 0.5) / SAMPLES) / size) * units);
          if (!colour) continue;
          sum[0] += colour[0];
          sum[1] += colour[1];
          sum[2] += colour[2];
          sum[3] += 1;
        }
      }
      if (!sum[3]) continue;
      const o = py * (size * 4 + 1) + 1 + px * 4;
      rows.set([...sum.slice(0, 3).map((v) => Math.round(v / sum[3])), Math.round((255 * sum[3]) / SAMPLES ** 2)], o);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
