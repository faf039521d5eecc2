/**
 * Which file of the built web client a request path names, or why it names none. Pure, so the
 * tests feed it every traversal spelling we know. The same rules as the desktop shell's `app://`
 * guard (src-main/protocol.ts), which the server cannot import.
 */
import path from 'node:path';

/** First path segments that belong to the server: never a file of the client, never the SPA fallback. */
export const SERVER_PREFIXES: ReadonlySet<string> = new Set(['auth', 'admin', 'api', 'channels', 'sync', 'yjs', 'health', 'static']);

export const INDEX_FILE = 'index.html';
export const SERVICE_WORKER_FILE = 'sw.js';
/** Vite's hashed output: safe to cache for a year. */
export const ASSETS_FOLDER = 'assets';
const MAX_PATH_LENGTH = 2048;

export type WebPathResolution =
  /** The path belongs to the server's own routes: leave it to them (and their 404). */
  | { kind: 'server' }
  /** Not a path we would ever serve a file for (traversal, dotfile, bad encoding…). */
  | { kind: 'refused' }
  | {
      kind: 'file';
      /** Path of the file inside the root, `/`-separated, e.g. `assets/index-abc.js`. */
      relative: string;
      /** True when a missing file should be answered with index.html (an app route). */
      fallback: boolean;
    };

/**
 * A decoded segment names an ordinary file or folder only: no dot segments or hidden files, no
 * separators of any platform, no drive letters or stream names (`:`), no control characters (NUL
 * included), no trailing dot or space (Windows strips them, so `..` could be spelt `.. `), and no
 * `%` left after decoding (double encoding).
 */
export function isPlainSegment(segment: string): boolean {
  if (segment.length === 0 || segment.length > 255) return false;
  if (segment.startsWith('.') || segment.endsWith('.') || segment.endsWith(' ')) return false;
  return !/[/\\:%\u0000-\u001f\u007f]/.test(segment);
}

/** Resolves the raw (still percent-encoded) request target, query included or not. */
export function resolveWebPath(rawUrl: string): WebPathResolution {
  const q = rawUrl.search(/[?#]/);
  const encoded = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (!encoded.startsWith('/') || encoded.length > MAX_PATH_LENGTH) return { kind: 'refused' };
  if (encoded === '/') return { kind: 'file', relative: INDEX_FILE, fallback: false };

  const encodedSegments = encoded.slice(1).split('/');
  // A trailing slash names an app route ("/settings/"), never a folder listing.
  const folder = encodedSegments[encodedSegments.length - 1] === '';
  if (folder) encodedSegments.pop();

  const segments: string[] = [];
  for (const part of encodedSegments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return { kind: 'refused' };
    }
    if (segments.length === 0 && SERVER_PREFIXES.has(decoded)) return { kind: 'server' };
    if (!isPlainSegment(decoded)) return { kind: 'refused' };
    segments.push(decoded);
  }
  const relative = segments.join('/');
  // Belt and braces: after the segment rules nothing can climb out, but say so explicitly.
  const normal = path.posix.normalize(relative);
  if (normal !== relative || normal.startsWith('..') || path.posix.isAbsolute(normal)) return { kind: 'refused' };

  if (folder) return segments[0] === ASSETS_FOLDER ? { kind: 'refused' } : { kind: 'file', relative: INDEX_FILE, fallback: false };
  const last = segments[segments.length - 1];
  // Hashed assets never fall back: a missing chunk must be a 404, not HTML a cache could keep.
  const fallback = segments[0] !== ASSETS_FOLDER && path.posix.extname(last) === '';
  return { kind: 'file', relative, fallback };
}


/** Cache policy per file: hashed assets for a year, everything else revalidated on every use. */
export function cacheControlFor(relative: string): string {
  if (relative.startsWith(`${ASSETS_FOLDER}/`)) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}
