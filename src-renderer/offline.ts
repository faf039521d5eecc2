/**
 * Installs the offline shell (sw.ts) in browser mode, so that reloading the page without a network
 * still opens the app. A no-op where it does not apply: the desktop app (`app://` pages, which its
 * own protocol handler serves from disk), the dev server, `file:` pages, and browsers or insecure
 * origins without service workers.
 */

export const SERVICE_WORKER_URL = '/sw.js';

export interface RegisterOptions {
  /** Defaults to `window`; tests pass a stand-in. */
  win?: Pick<Window, 'location' | 'navigator' | 'addEventListener'> & { document: Pick<Document, 'readyState'> };
  /** Vite's `import.meta.env.DEV`; defaults to what the build says. */
  dev?: boolean;
}

function isDevBuild(): boolean {
  return (import.meta as { env?: { DEV?: boolean } }).env?.DEV === true;
}

/** True when this page should run the service worker. */
export function serviceWorkerApplies(opts: RegisterOptions = {}): boolean {
  const win = opts.win ?? (typeof window === 'undefined' ? undefined : window);
  if (!win) return false;
  if (opts.dev ?? isDevBuild()) return false;
  const { protocol } = win.location;
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  return 'serviceWorker' in win.navigator && win.navigator.serviceWorker !== undefined;
}

/**
 * Registers `/sw.js` for the whole origin once the page has loaded (so it never competes with the
 * first load). Resolves to the registration, or null when not applicable or when it failed (the
 * app works without it, only not offline after a reload).
 */
export async function registerServiceWorker(opts: RegisterOptions = {}): Promise<ServiceWorkerRegistration | null> {
  if (!serviceWorkerApplies(opts)) return null;
  const win = opts.win ?? window;
  if (win.document.readyState !== 'complete') {
    await new Promise<void>((resolve) => win.addEventListener('load', () => resolve(), { once: true }));
  }
  try {
    return await win.navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: '/', updateViaCache: 'none' });
  } catch (err) {
    console.warn('Switchboard: the offline shell could not be installed', err);
    return null;
  }
}
