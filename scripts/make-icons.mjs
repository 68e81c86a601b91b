// Draws the Lanline mark (the favicon's shapes) into build/icon.png, icon.ico and icon.icns, so the
// installers' icons come from one description instead of binary files nobody can regenerate.
// Run: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { renderPng } from './png.mjs';

const BLUE = [31, 111, 235];
const WHITE = [255, 255, 255];

/** Colour of the point (x, y) in a 64-unit square, or null when outside the mark. */
function shade(x, y) {
  const r = 14;
  const cx = Math.min(Math.max(x, r), 64 - r);
  const cy = Math.min(Math.max(y, r), 64 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  const inL = (x >= 18 && x <= 26 && y >= 14 && y <= 50) || (x >= 18 && x <= 46 && y >= 42 && y <= 50);
  const inDot = (x - 46) ** 2 + (y - 22) ** 2 <= 36;
  return inL || inDot ? WHITE : BLUE;
}

const png = (size) => renderPng(size, 64, shade);

function ico(sizes) {
  const images = sizes.map(png);
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((size, i) => {
    const entry = 6 + 16 * i;
    header[entry] = size >= 256 ? 0 : size;
    header[entry + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(images[i].length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += images[i].length;
  });
  return Buffer.concat([header, ...images]);
}

function icns(entries) {
  const parts = entries.map(([type, size]) => {
    const data = png(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

writeFileSync('build/icon.png', png(1024));
writeFileSync('build/icon.ico', ico([16, 24, 32, 48, 64, 128, 256]));
writeFileSync('build/icon.icns', icns([['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]]));
writeFileSync('resources/icon.png', png(256));
console.log('wrote build/icon.png, build/icon.ico, build/icon.icns, resources/icon.png');
