/**
 * The tray icon and the Windows taskbar badge, drawn in code so the shell needs no image files:
 * a chat bubble with three dots, and a red dot. Rasterised at 32 px and shown at 16 pt (scale 2).
 */
import { nativeImage } from 'electron';
import type { NativeImage } from 'electron';

export const ICON_PIXELS = 32;
const SUPERSAMPLING = 4;

type Rgb = readonly [number, number, number];
type Point = readonly [number, number];

const ACCENT: Rgb = [37, 99, 235];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const BADGE_RED: Rgb = [229, 72, 77];

function inRoundedRect(x: number, y: number, left: number, top: number, right: number, bottom: number, radius: number): boolean {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function inTriangle(x: number, y: number, a: Point, b: Point, c: Point): boolean {
  const side = (p: Point, q: Point): number => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const d1 = side(a, b);
  const d2 = side(b, c);
  const d3 = side(c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

function inCircle(x: number, y: number, cx: number, cy: number, r: number): boolean {
  return (x - cx) ** 2 + (y - cy) ** 2 <= r ** 2;
}

/** What a point of the 32×32 chat icon is: the bubble, one of its dots, or nothing. */
function chatIconAt(x: number, y: number): 'bubble' | 'dot' | 'none' {
  const inBubble = inRoundedRect(x, y, 3, 4, 29, 23, 6) || inTriangle(x, y, [8, 21], [16, 21], [7, 29]);
  if (!inBubble) return 'none';
  if (inCircle(x, y, 10, 13.5, 2) || inCircle(x, y, 16, 13.5, 2) || inCircle(x, y, 22, 13.5, 2)) return 'dot';
  return 'bubble';
}

function badgeAt(x: number, y: number): 'bubble' | 'dot' | 'none' {
  return inCircle(x, y, 16, 16, 13) ? 'bubble' : 'none';
}

/**
 * Premultiplied BGRA pixels (what `nativeImage.createFromBitmap` takes), anti-aliased by
 * supersampling. `dot: null` cuts the dots out (transparent), as a template image needs.
 */
export function rasterize(
  shape: (x: number, y: number) => 'bubble' | 'dot' | 'none',
  colours: { bubble: Rgb; dot: Rgb | null },
  size = ICON_PIXELS,
): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let red = 0;
      let green = 0;
      let blue = 0;
      let alpha = 0;
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const x = ((px + (sx + 0.5) / SUPERSAMPLING) * ICON_PIXELS) / size;
          const y = ((py + (sy + 0.5) / SUPERSAMPLING) * ICON_PIXELS) / size;
          const part = shape(x, y);
          const colour = part === 'bubble' ? colours.bubble : part === 'dot' ? colours.dot : null;
          if (!colour) continue;
          red += colour[0];
          green += colour[1];
          blue += colour[2];
          alpha += 255;
        }
      }
      const offset = (py * size + px) * 4;
      // Summing only covered samples yields colour × coverage: already premultiplied.
      pixels[offset] = Math.round(blue / samples);
      pixels[offset + 1] = Math.round(green / samples);
      pixels[offset + 2] = Math.round(red / samples);
      pixels[offset + 3] = Math.round(alpha / samples);
    }
  }
  return pixels;
}

function imageFromPixels(pixels: Buffer): NativeImage {
  return nativeImage.createFromBitmap(pixels, { width: ICON_PIXELS, height: ICON_PIXELS, scaleFactor: 2 });
}

/** macOS gets a black template image that follows the menu bar's appearance; others the accent colour. */
export function createTrayIcon(platform: NodeJS.Platform = process.platform): NativeImage {
  if (platform === 'darwin') {
    const image = imageFromPixels(rasterize(chatIconAt, { bubble: BLACK, dot: null }));
    image.setTemplateImage(true);
    return image;
  }
  return imageFromPixels(rasterize(chatIconAt, { bubble: ACCENT, dot: WHITE }));
}

/** The overlay Windows draws on the taskbar button while something is unread. */
export function createBadgeOverlay(): NativeImage {
  return imageFromPixels(rasterize(badgeAt, { bubble: BADGE_RED, dot: null }));
}

export const iconShapes = { chatIconAt, badgeAt };
