import { describe, expect, it } from 'vitest';
import { photoName, photoPieces } from '../../renderer/src/rtc/call/photo.js';

describe('call photo helpers', () => {
  it('cuts a photo into pieces in order, the last one marked done', async () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, index) => index);
    const pieces = [];
    for await (const piece of photoPieces(new Blob([bytes]), 4)) pieces.push({ data: [...piece.data], done: piece.done });
    expect(pieces).toEqual([
      { data: [0, 1, 2, 3], done: false },
      { data: [4, 5, 6, 7], done: false },
      { data: [8, 9], done: true },
    ]);
    const exact = [];
    for await (const piece of photoPieces(new Blob([bytes.subarray(0, 8)]), 4)) exact.push(piece.done);
    expect(exact).toEqual([false, true]);
  });

  it('names a photo after who and when', () => {
    expect(photoName('Bob', new Date(2024, 4, 1, 14, 3, 7).getTime())).toBe('Bob 2024-05-01 14.03.07.png');
  });
});
