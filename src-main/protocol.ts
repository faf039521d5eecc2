/**
 * Production assets come over `app://switchboard/...`, never `file://`: a real origin for
 * IndexedDB and the CSP, and a path guard that serves files from the built renderer folder and
 * nothing else.
 */
import { protocol } from 'electron';
import { realpath, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeFor } from '../src-core/content-types';
import { APP_HOST, APP_SCHEME } from './config';

/** Must run before `app` is ready: privileges cannot be granted later. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

const INDEX_FILE = 'index.html';
const MAX_PATH_LENGTH = 2048;

export type RendererPathResolution =
  | {
      kind: 'file';
      /** The file asked for, inside the renderer root. */
      filePath: string;
      /** index.html when the path looks like an app route (no extension) and the file is missing. */
      fallbackPath: string | null;
    }
  | { kind: 'refused' };

const REFUSED: RendererPathResolution = { kind: 'refused' };

/**
 * A decoded path segment is acceptable only when it names an ordinary file or folder: no dot
 * segments or hidden files, no separators of any platform, no drive letters or stream names
 * (`:`), no control characters (NUL included), and no trailing dot or space, which Windows strips
 * so that `..` could be spelt `.. ` or `...`.
 */
function isPlainSegment(segment: string): boolean {
  if (segment.length === 0 || segment.length > 255) return false;
  if (segment.startsWith('.') || segment.endsWith('.') || segment.endsWith(' ')) return false;
  return !/[/\\:\u0000-\u001f\u007f]/.test(segment);
}

/**
 * Maps the (still percent-encoded) path of an `app://` URL to a file under `rendererRoot`, or
 * refuses it. Pure: the tests feed it every traversal spelling we know.
 */
export function resolveRendererPath(rendererRoot: string, encodedPathname: string): RendererPathResolution {
  const root = path.resolve(rendererRoot);
  const indexPath = path.join(root, INDEX_FILE);
  if (!encodedPathname.startsWith('/') || encodedPathname.length > MAX_PATH_LENGTH) return REFUSED;
  if (encodedPathname === '/') return { kind: 'file', filePath: indexPath, fallbackPath: null };

  const encodedSegments = encodedPathname.slice(1).split('/');
  // A trailing slash names a route ("/settings/"), never a folder listing.
  const isFolderPath = encodedSegments[encodedSegments.length - 1] === '';
  if (isFolderPath) encodedSegments.pop();

  const segments: string[] = [];
  for (const encoded of encodedSegments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(encoded);
    } catch {
      return REFUSED;
    }
    if (!isPlainSegment(decoded)) return REFUSED;
    segments.push(decoded);
  }

  const filePath = path.join(root, ...segments);
  const relative = path.relative(root, filePath);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return REFUSED;

  if (isFolderPath) return { kind: 'file', filePath: indexPath, fallbackPath: null };
  const looksLikeRoute = path.extname(segments[segments.length - 1]) === '';
  return { kind: 'file', filePath, fallbackPath: looksLikeRoute ? indexPath : null };
}

/** Resolves a full request URL; only `app://switchboard/...` is ours. */
export function resolveAppRequest(rendererRoot: string, requestUrl: string): RendererPathResolution {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return REFUSED;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host.toLowerCase() !== APP_HOST) return REFUSED;
  if (url.username !== '' || url.password !== '' || url.port !== '') return REFUSED;
  return resolveRendererPath(rendererRoot, url.pathname);
}


function notFound(status = 404, statusText = 'Not Found'): Response {
  return new Response(null, { status, statusText, headers: { 'X-Content-Type-Options': 'nosniff' } });
}

/** True when `filePath` is a regular file whose real location is inside `realRoot` (no symlink escapes). */
async function isServableFile(realRoot: string, filePath: string): Promise<boolean> {
  try {
    const real = await realpath(filePath);
    const relative = path.relative(realRoot, real);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
    return (await stat(real)).isFile();
  } catch {
    return false;
  }
}

/** Answers one `app://` request from the renderer folder. */
export async function serveAppRequest(
  request: Pick<Request, 'url' | 'method'>,
  rendererRoot: string,
  contentSecurityPolicy: string,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(405, 'Method Not Allowed');
  const resolution = resolveAppRequest(rendererRoot, request.url);
  if (resolution.kind === 'refused') return notFound();

  let realRoot: string;
  try {
    realRoot = await realpath(path.resolve(rendererRoot));
  } catch {
    return notFound();
  }
  let servedPath: string | null = null;
  if (await isServableFile(realRoot, resolution.filePath)) servedPath = resolution.filePath;
  else if (resolution.fallbackPath && (await isServableFile(realRoot, resolution.fallbackPath))) {
    servedPath = resolution.fallbackPath;
  }
  if (servedPath === null) return notFound();

  const headers: Record<string, string> = {
    'Content-Type': contentTypeFor(servedPath),
    'X-Content-Type-Options': 'nosniff',
    // Workers take their CSP from their own response, so every response carries it.
    'Content-Security-Policy': contentSecurityPolicy,
    'Cache-Control': 'no-cache',
  };
  const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(servedPath));
  return new Response(body, { status: 200, headers });
}

/** Serves the built renderer over `app://`. Call once the app is ready. */
export function registerAppProtocol(rendererRoot: string, contentSecurityPolicy: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, rendererRoot, contentSecurityPolicy));
}
