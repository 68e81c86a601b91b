/**
 * Where the window opens: the bounds remembered in settings (`window`), fitted to the displays
 * that exist now. A window saved on a monitor that has since been unplugged, or on a larger one,
 * reappears whole on a display the user can see. Pure: main passes the displays' work areas
 * (screen.getAllDisplays(), the primary first).
 */
import type { WindowBounds } from '../contract.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowSize {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

/** Bounds to open with; no x/y means "let the system centre it". */
export type RestoredBounds = { x?: number; y?: number; width: number; height: number; maximized: boolean };

/** How much of the window must overlap a display to count as "on" it: a grabbable piece of title bar. */
const MIN_VISIBLE = 64;

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), Math.max(low, high));

export function restoreBounds(saved: WindowBounds | null, displays: readonly Rect[], size: WindowSize): RestoredBounds {
  const primary = displays[0];
  if (!saved || !primary) return { width: size.width, height: size.height, maximized: saved?.maximized ?? false };
  // The display showing most of the window; none (or a sliver): the primary one.
  let best = primary;
  let bestArea = 0;
  for (const display of displays) {
    const area = overlap(saved, display);
    if (area > bestArea) [best, bestArea] = [display, area];
  }
  if (bestArea < MIN_VISIBLE * MIN_VISIBLE) best = primary;
  const width = clamp(saved.width, Math.min(size.minWidth, best.width), best.width);
  const height = clamp(saved.height, Math.min(size.minHeight, best.height), best.height);
  return {
    x: clamp(saved.x, best.x, best.x + best.width - width),
    y: clamp(saved.y, best.y, best.y + best.height - height),
    width,
    height,
    maximized: saved.maximized,
  };
}

/** What to remember: the normal (unmaximized) bounds, rounded, and whether it is maximized. */
export function boundsToSave(normal: Rect, maximized: boolean): WindowBounds {
  return { x: Math.round(normal.x), y: Math.round(normal.y), width: Math.max(1, Math.round(normal.width)), height: Math.max(1, Math.round(normal.height)), maximized };
}
