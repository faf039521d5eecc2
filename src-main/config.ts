/**
 * The desktop shell's configuration and the origins it trusts. Pure: no Electron here, so the
 * rules that decide what the app may load and talk to are tested directly.
 */
import path from 'node:path';

/** Production assets are served as `app://switchboard/...` (protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** `switchboard://conversation/<id>` links open a conversation (deep-links.ts). */
export const DEEP_LINK_SCHEME = 'switchboard';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

/** Windows ties notifications and taskbar entries to this id. */
export const APP_USER_MODEL_ID = 'io.switchboard.desktop';

export type WindowKind = 'inbox' | 'settings';

export interface ShellConfig {
  /** The sync server, without a trailing slash; passed to the renderer as `?server=`. */
  serverUrl: string;
  /** electron-vite's dev server (`ELECTRON_RENDERER_URL`), only for an unpackaged app. */
  devRendererUrl: string | null;
  /** The built preload, `out/preload/index.cjs`. */
  preloadPath: string;
  /** The built renderer, `out/renderer`, served over `app://`. */
  rendererRoot: string;
}

export interface ShellEnvironment {
  SWITCHBOARD_SERVER_URL?: string;
  ELECTRON_RENDERER_URL?: string;
}

/**
 * `scheme://host[:port]` of a URL, lower-cased, or null when the URL has no host. Node's
 * `URL.origin` is "null" for schemes it does not know (such as `app:`), while Chromium treats our
 * registered standard scheme as a real origin; this helper gives the Chromium answer for both.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host}`.toLowerCase();
}

/** The WebSocket origin that talks to the same server as an http(s) origin. */
export function websocketOriginOf(httpOrigin: string): string {
  if (httpOrigin.startsWith('https://')) return `wss://${httpOrigin.slice('https://'.length)}`;
  if (httpOrigin.startsWith('http://')) return `ws://${httpOrigin.slice('http://'.length)}`;
  throw new Error(`Not an http(s) origin: ${httpOrigin}`);
}

function parseHttpUrl(raw: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`${variable} must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${variable} must be an http(s) URL, got "${raw}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`${variable} must not contain credentials`);
  }
  return url;
}

/** The sync server URL: http(s), no credentials, query or fragment; trailing slash removed. */
export function parseServerUrl(raw: string): string {
  const url = parseHttpUrl(raw, 'SWITCHBOARD_SERVER_URL');
  if (url.search !== '' || url.hash !== '') {
    throw new Error('SWITCHBOARD_SERVER_URL must not contain a query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Reads the shell configuration. `mainDir` is the folder of the built main bundle (`out/main`);
 * the preload and renderer bundles sit next to it. Throws a clear error for a malformed URL.
 */
export function readShellConfig(
  env: ShellEnvironment,
  options: { mainDir: string; isPackaged: boolean },
): ShellConfig {
  const serverUrl = parseServerUrl(env.SWITCHBOARD_SERVER_URL || DEFAULT_SERVER_URL);
  const devUrl = options.isPackaged ? undefined : env.ELECTRON_RENDERER_URL;
  const devRendererUrl = devUrl ? parseHttpUrl(devUrl, 'ELECTRON_RENDERER_URL').href : null;
  return {
    serverUrl,
    devRendererUrl,
    preloadPath: path.join(options.mainDir, '..', 'preload', 'index.cjs'),
    rendererRoot: path.join(options.mainDir, '..', 'renderer'),
  };
}

/** The origins our own pages are served from: `app://switchboard`, plus the dev server in dev. */
export function rendererOrigins(config: Pick<ShellConfig, 'devRendererUrl'>): string[] {
  const origins = [APP_ORIGIN];
  const devOrigin = config.devRendererUrl ? originOf(config.devRendererUrl) : null;
  if (devOrigin) origins.push(devOrigin);
  return origins;
}

/** True when `url` is a page of ours (same scheme, host and port as a renderer origin). */
export function isRendererUrl(config: Pick<ShellConfig, 'devRendererUrl'>, url: string): boolean {
  const origin = originOf(url);
  return origin !== null && rendererOrigins(config).includes(origin);
}

/**
 * The URL a window loads. The renderer reads `server` (the sync server) and `window`
 * (`settings` for the settings window; absent for the inbox).
 */
export function rendererUrl(config: Pick<ShellConfig, 'devRendererUrl' | 'serverUrl'>, kind: WindowKind): string {
  const url = new URL(config.devRendererUrl ?? `${APP_ORIGIN}/index.html`);
  url.searchParams.set('server', config.serverUrl);
  if (kind === 'settings') url.searchParams.set('window', 'settings');
  return url.href;
}
