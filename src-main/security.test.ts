import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';

vi.mock('electron', () => import('./testing/fake-electron'));

import { FakeEvent, FakeSession, FakeWebContents, app, resetFakeElectron, session, shell } from './testing/fake-electron';
import {
  buildContentSecurityPolicy,
  buildWebPreferences,
  hardenSession,
  hardenWebContents,
  installSecurity,
  isPermissionAllowed,
  isSafeExternalUrl,
  openExternalSafely,
  withContentSecurityPolicy,
} from './security';

const production = { serverUrl: 'http://127.0.0.1:8787', devRendererUrl: null };
const development = { serverUrl: 'https://sync.example.com', devRendererUrl: 'http://localhost:5173/' };

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

beforeEach(() => resetFakeElectron());

describe('buildWebPreferences', () => {
  it('isolates and sandboxes every page and gives it only our preload', () => {
    const preferences = buildWebPreferences('/app/out/preload/index.cjs');
    expect(preferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: true,
    });
  });
});

describe('buildContentSecurityPolicy', () => {
  it('is strict in production and reaches only the sync server', () => {
    const policy = directives(buildContentSecurityPolicy(production));
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(policy.get('connect-src')).toEqual(["'self'", 'http://127.0.0.1:8787', 'ws://127.0.0.1:8787']);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'http://127.0.0.1:8787']);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    const text = buildContentSecurityPolicy(production);
    expect(text).not.toContain('unsafe-eval');
    expect(text).not.toMatch(/(^|\s)\*(\s|;|$)/);
  });

  it('uses wss:// for an https server and only the server origin, not its path', () => {
    const policy = directives(buildContentSecurityPolicy({ serverUrl: 'https://sync.example.com/sb', devRendererUrl: null }));
    expect(policy.get('connect-src')).toEqual(["'self'", 'https://sync.example.com', 'wss://sync.example.com']);
  });

  it('adds the dev server (and the inline React refresh preamble) only in development', () => {
    const policy = directives(buildContentSecurityPolicy(development));
    expect(policy.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(policy.get('connect-src')).toEqual([
      "'self'",
      'https://sync.example.com',
      'wss://sync.example.com',
      'http://localhost:5173',
      'ws://localhost:5173',
    ]);
  });
});

describe('isSafeExternalUrl / openExternalSafely', () => {
  it.each([
    'https://example.com/page?q=1',
    'http://example.com',
    'mailto:client@example.com',
    'mailto:client@example.com?subject=Hello',
  ])('allows %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'smb://server/share',
    'ms-settings:privacy',
    'vscode://file/x',
    'switchboard://conversation/1',
    'app://switchboard/index.html',
    'https://user:password@example.com',
    ' https://example.com',
    'https://example.com/\nrest',
    'https://exa mple.com',
    'https://',
    'mailto:',
    'not a url',
    '',
  ])('refuses %j', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });

  it('hands safe URLs to the OS and refuses the rest without calling it', async () => {
    expect(await openExternalSafely('https://example.com/a')).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/a');
    expect(await openExternalSafely('file:///etc/passwd')).toBe(false);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('answers false when the OS cannot open the URL', async () => {
    shell.openExternal.mockRejectedValueOnce(new Error('no mail client'));
    expect(await openExternalSafely('mailto:a@example.com')).toBe(false);
  });
});

describe('hardenWebContents', () => {
  function hardened(config: { devRendererUrl: string | null } = production): FakeWebContents {
    const contents = new FakeWebContents();
    hardenWebContents(contents as unknown as WebContents, config);
    return contents;
  }

  it('blocks navigation away from our pages and opens web links in the OS browser', () => {
    const contents = hardened();
    const away = new FakeEvent('https://phishing.example.com/login');
    contents.emit('will-navigate', away);
    expect(away.defaultPrevented).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledWith('https://phishing.example.com/login');

    const toFile = new FakeEvent('file:///etc/passwd');
    contents.emit('will-navigate', toFile);
    expect(toFile.defaultPrevented).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);

    const reload = new FakeEvent('app://switchboard/index.html?server=x');
    contents.emit('will-navigate', reload);
    expect(reload.defaultPrevented).toBe(false);
  });

  it('allows the dev server only in development', () => {
    const inProduction = new FakeEvent('http://localhost:5173/');
    hardened(production).emit('will-navigate', inProduction);
    expect(inProduction.defaultPrevented).toBe(true);
    const inDevelopment = new FakeEvent('http://localhost:5173/');
    hardened(development).emit('will-navigate', inDevelopment);
    expect(inDevelopment.defaultPrevented).toBe(false);
  });

  it('blocks redirects off our origin without opening anything', () => {
    const contents = hardened();
    const event = new FakeEvent('https://elsewhere.example.com/');
    contents.emit('will-redirect', event);
    expect(event.defaultPrevented).toBe(true);
    expect(shell.openExternal).not.toHaveBeenCalled();
    const internal = new FakeEvent('app://switchboard/index.html');
    contents.emit('will-redirect', internal);
    expect(internal.defaultPrevented).toBe(false);
  });

  it('denies every window.open and routes only http(s)/mailto to the OS', () => {
    const contents = hardened();
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://switchboard/index.html' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///C:/Windows/System32/calc.exe' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/');
  });

  it('refuses to attach webviews', () => {
    const contents = hardened();
    const event = new FakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('permissions and headers', () => {
  it('grants notifications to our pages and nothing else to anyone', () => {
    expect(isPermissionAllowed(production, 'notifications', 'app://switchboard/index.html')).toBe(true);
    expect(isPermissionAllowed(production, 'notifications', 'https://evil.example.com/')).toBe(false);
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid']) {
      expect(isPermissionAllowed(production, permission, 'app://switchboard/index.html')).toBe(false);
    }
  });

  it('installs the handlers on the session', () => {
    const target = new FakeSession();
    hardenSession(target as unknown as Session, production);
    const decisions: boolean[] = [];
    const request = target.permissionRequestHandler as unknown as (
      contents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl: string },
    ) => void;
    request({}, 'media', (granted) => decisions.push(granted), { requestingUrl: 'app://switchboard/index.html' });
    request({}, 'notifications', (granted) => decisions.push(granted), { requestingUrl: 'app://switchboard/index.html' });
    expect(decisions).toEqual([false, true]);
    const check = target.permissionCheckHandler as unknown as (contents: unknown, permission: string, origin: string) => boolean;
    expect(check(null, 'geolocation', 'app://switchboard')).toBe(false);
    expect(check(null, 'notifications', 'app://switchboard')).toBe(true);
    expect((target.devicePermissionHandler as unknown as () => boolean)()).toBe(false);
  });

  it('puts our CSP on responses, replacing any other in whatever letter case', () => {
    const target = new FakeSession();
    hardenSession(target as unknown as Session, production);
    let headers: Record<string, string[]> | undefined;
    target.headersListener?.(
      {
        url: 'app://switchboard/index.html',
        responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] },
      },
      (response) => {
        headers = response.responseHeaders;
      },
    );
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [buildContentSecurityPolicy(production)],
    });
    expect(withContentSecurityPolicy(undefined, 'x')).toEqual({ 'Content-Security-Policy': ['x'] });
  });

  it('hardens the default session and every webContents created later', () => {
    installSecurity(production);
    expect(session.defaultSession.headersListener).not.toBeNull();
    const contents = new FakeWebContents();
    app.emit('web-contents-created', new FakeEvent(), contents);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });
});
