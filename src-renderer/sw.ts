/**
 * The offline shell of the web client (browser mode): a service worker that keeps the app itself
 * (index.html and the hashed assets) so that reloading the page without a network still shows the
 * app, which then reads its data from IndexedDB. It never stores server data: API, auth, sync,
 * channel, health and static responses always go to the network.
 *
 * Built as `out/renderer/sw.js` (electron.vite.config.ts), unhashed and self-contained: it imports
 * nothing, so it runs as a classic worker. The build replaces the precache placeholder below with
 * the list of emitted files and a build id; without it (dev), files are cached as they are used.
 */

interface PrecacheManifest {
  /** Changes with every build that changes a file: names the cache. */
  version: string;
  /** Root-relative paths, e.g. `index.html`, `assets/index-abc.js`. */
  files: string[];
}

// Replaced at build time by a JSON string (see `serviceWorkerManifest` in electron.vite.config.ts).
const MANIFEST_JSON = '__SWITCHBOARD_PRECACHE_MANIFEST__';

function readManifest(): PrecacheManifest {
  try {
    const parsed = JSON.parse(MANIFEST_JSON) as PrecacheManifest;
    if (typeof parsed.version === 'string' && Array.isArray(parsed.files)) return parsed;
  } catch {
    /* not built: no precache */
  }
  return { version: 'dev', files: [] };
}

const manifest = readManifest();
const CACHE_PREFIX = 'switchboard-shell-';
const CACHE = `${CACHE_PREFIX}${manifest.version}`;
const INDEX_URL = '/index.html';

/** First path segments of the server's own endpoints: never cached, never answered from cache. */
const SERVER_PREFIXES = new Set(['auth', 'admin', 'api', 'channels', 'sync', 'yjs', 'health', 'static']);

// `self` is the worker's global scope here; the project's DOM typings call it a Window.
const sw = self as unknown as ServiceWorkerGlobalScope;

function isServerPath(pathname: string): boolean {
  const first = pathname.split('/')[1] ?? '';
  return SERVER_PREFIXES.has(first);
}

function isAsset(pathname: string): boolean {
  return pathname.startsWith('/assets/');
}

/** Only complete, same-origin, successful answers go into the cache. */
function cacheable(response: Response): boolean {
  return response.ok && response.status === 200 && response.type === 'basic';
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const urls = new Set(manifest.files.map((f) => `/${f.replace(/^\/+/, '')}`));
      urls.add(INDEX_URL);
      // `reload`: never fill the cache from the HTTP cache, which may hold a previous build.
      await Promise.all(
        [...urls].map(async (url) => {
          const response = await fetch(new Request(url, { cache: 'reload', credentials: 'same-origin' }));
          if (!cacheable(response)) throw new Error(`precache of ${url} failed: ${response.status}`);
          await cache.put(url, response);
        }),
      );
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await sw.clients.claim();
    })(),
  );
});

/** Navigations: the network first (a new build shows at once), the cached index.html offline. */
async function navigation(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    const html = (response.headers.get('content-type') ?? '').startsWith('text/html');
    if (cacheable(response) && html) await cache.put(INDEX_URL, response.clone());
    // A server error while the server is half up: the cached shell is more useful.
    if (response.status >= 500) return (await cache.match(INDEX_URL)) ?? response;
    return response;
  } catch (err) {
    const cached = await cache.match(INDEX_URL);
    if (cached) return cached;
    throw err;
  }
}

/** Hashed assets never change under their name: the cache first. */
async function asset(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (cacheable(response)) await cache.put(request, response.clone());
  return response;
}

/** Other files of the client (sw.js excepted): the network, the precached copy offline. */
async function otherFile(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const cached = await (await caches.open(CACHE)).match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw err;
  }
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (isServerPath(url.pathname) || url.pathname === '/sw.js') return;
  if (request.headers.has('range')) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
    return;
  }
  if (isAsset(url.pathname)) {
    event.respondWith(asset(request));
    return;
  }
  event.respondWith(otherFile(request));
});

export {};
