/**
 * Everything that keeps web content in its box, in one place: sandboxed web preferences, the
 * Content-Security-Policy, blocked navigation, new windows and webviews, denied permissions, and
 * the only way out to the OS browser (http(s) and mailto).
 */
import { app, session, shell } from 'electron';
import type { Session, WebContents, WebPreferences } from 'electron';
import { isRendererUrl, originOf, websocketOriginOf } from './config';
import type { ShellConfig } from './config';

type OriginConfig = Pick<ShellConfig, 'serverUrl' | 'devRendererUrl'>;

export function buildWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
  };
}

/**
 * The CSP of every page we load. Scripts come only from our own origin; the network only reaches
 * the sync server (HTTP and WebSocket). In development the dev server's origin is added, and
 * inline scripts are allowed there because React Fast Refresh injects an inline preamble.
 */
export function buildContentSecurityPolicy(config: OriginConfig): string {
  const serverOrigin = originOf(config.serverUrl);
  if (serverOrigin === null) throw new Error(`Not a server URL: ${config.serverUrl}`);
  const devOrigin = config.devRendererUrl ? originOf(config.devRendererUrl) : null;
  const serverSources = [serverOrigin, websocketOriginOf(serverOrigin)];
  const devSources = devOrigin ? [devOrigin, websocketOriginOf(devOrigin)] : [];
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', devOrigin ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    // React style props and the dialog/scroll-lock libraries write inline styles.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['connect-src', ["'self'", ...serverSources, ...devSources]],
    ['img-src', ["'self'", 'data:', 'blob:', serverOrigin]],
    ['media-src', ["'self'", 'blob:', serverOrigin]],
    ['font-src', ["'self'", 'data:']],
    ['worker-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${[...new Set(sources)].join(' ')}`).join('; ');
}

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * Only web pages and e-mail addresses may leave the app. Anything else (file:, smb:, custom
 * schemes that launch programs, javascript:) is refused, and so are URLs with embedded
 * credentials or control characters, which only serve to disguise where a link goes.
 */
export function isSafeExternalUrl(url: string): boolean {
  if (typeof url !== 'string' || url.length === 0 || url.length > 8192) return false;
  if (/[\u0000-\u0020\u007f]/.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!EXTERNAL_PROTOCOLS.has(parsed.protocol)) return false;
  if (parsed.protocol === 'mailto:') return parsed.pathname.length > 0;
  return parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
}

/** Opens a safe URL in the user's default app; false when refused or when the OS failed. */
export async function openExternalSafely(url: string): Promise<boolean> {
  if (!isSafeExternalUrl(url)) return false;
  try {
    await shell.openExternal(new URL(url).href);
    return true;
  } catch {
    return false;
  }
}

/**
 * Locks down one webContents: it never navigates away from our pages, never opens windows and
 * never attaches a webview. A link to the web opens in the OS browser instead.
 */
export function hardenWebContents(contents: WebContents, config: Pick<ShellConfig, 'devRendererUrl'>): void {
  contents.on('will-navigate', (event) => {
    if (isRendererUrl(config, event.url)) return;
    event.preventDefault();
    void openExternalSafely(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (isRendererUrl(config, event.url)) return;
    event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalSafely(url);
    return { action: 'deny' };
  });
}

/** Only our own pages may ask for anything, and only for notifications. */
export function isPermissionAllowed(
  config: Pick<ShellConfig, 'devRendererUrl'>,
  permission: string,
  requestingUrl: string,
): boolean {
  return permission === 'notifications' && isRendererUrl(config, requestingUrl);
}

/** Replaces any CSP header (in any letter case) with ours. */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
  policy: string,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [policy];
  return result;
}

export function hardenSession(target: Session, config: OriginConfig): void {
  const policy = buildContentSecurityPolicy(config);
  target.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, policy) });
  });
  target.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(config, permission, details.requestingUrl));
  });
  target.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(config, permission, requestingOrigin),
  );
  target.setDevicePermissionHandler(() => false);
}

/**
 * Installs the rules for the default session and for every webContents the app will ever create
 * (windows, and any frame or devtools a bug might open). Call once, before the first window.
 */
export function installSecurity(config: OriginConfig): void {
  hardenSession(session.defaultSession, config);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, config));
}
