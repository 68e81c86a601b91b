// Draws the tray icons into resources/tray/: <state>-<bar>.png (16 px) and @2x (32 px), for
// idle, call, muted, sharing, dnd (do not disturb) and transfer on a light or a dark menu bar
// (electron/core/tray/menu.ts picks one; trayIconStates lists them).
// Run: node scripts/make-tray-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderPng } from './png.mjs';

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

const png = (size, state, bar) => renderPng(size, 16, (x, y) => shade(state, bar, x, y));

mkdirSync('resources/tray', { recursive: true });
for (const state of STATES) {
  for (const bar of ['light', 'dark']) {
    writeFileSync(`resources/tray/${state}-${bar}.png`, png(16, state, bar));
    writeFileSync(`resources/tray/${state}-${bar}@2x.png`, png(32, state, bar));
  }
}
console.log(`wrote resources/tray/{${STATES.join(',')}}-{light,dark}{,@2x}.png`);
