import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  DEFAULT_SERVER_URL,
  isRendererUrl,
  originOf,
  parseServerUrl,
  readShellConfig,
  rendererUrl,
  websocketOriginOf,
} from './config';

const mainDir = path.join('/opt', 'switchboard', 'out', 'main');

describe('readShellConfig', () => {
  it('defaults to the local sync server and the bundles next to out/main', () => {
    const config = readShellConfig({}, { mainDir, isPackaged: true });
    expect(config.serverUrl).toBe(DEFAULT_SERVER_URL);
    expect(config.devRendererUrl).toBeNull();
    expect(config.preloadPath).toBe(path.join('/opt', 'switchboard', 'out', 'preload', 'index.cjs'));
    expect(config.rendererRoot).toBe(path.join('/opt', 'switchboard', 'out', 'renderer'));
  });

  it('takes SWITCHBOARD_SERVER_URL and drops a trailing slash', () => {
    const config = readShellConfig({ SWITCHBOARD_SERVER_URL: 'https://sync.example.com/' }, { mainDir, isPackaged: true });
    expect(config.serverUrl).toBe('https://sync.example.com');
  });

  it('uses the dev server only in an unpackaged app', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };
    expect(readShellConfig(env, { mainDir, isPackaged: false }).devRendererUrl).toBe('http://localhost:5173/');
    expect(readShellConfig(env, { mainDir, isPackaged: true }).devRendererUrl).toBeNull();
  });

  it('refuses malformed or non-http server URLs with a clear message', () => {
    expect(() => parseServerUrl('not a url')).toThrow(/SWITCHBOARD_SERVER_URL must be an http\(s\) URL/);
    expect(() => parseServerUrl('file:///etc/passwd')).toThrow(/http\(s\)/);
    expect(() => parseServerUrl('https://user:secret@sync.example.com')).toThrow(/credentials/);
    expect(() => parseServerUrl('https://sync.example.com/?x=1')).toThrow(/query or fragment/);
    expect(() => readShellConfig({ ELECTRON_RENDERER_URL: 'javascript:alert(1)' }, { mainDir, isPackaged: false })).toThrow(
      /ELECTRON_RENDERER_URL/,
    );
  });
});

describe('origins', () => {
  it('gives app:// a real origin, unlike Node URL.origin', () => {
    expect(new URL(`${APP_ORIGIN}/index.html`).origin).toBe('null');
    expect(originOf(`${APP_ORIGIN}/index.html?server=x`)).toBe(APP_ORIGIN);
    expect(originOf('http://LOCALHOST:5173/a')).toBe('http://localhost:5173');
    expect(originOf('mailto:someone@example.com')).toBeNull();
    expect(originOf('not a url')).toBeNull();
  });

  it('maps http(s) to ws(s)', () => {
    expect(websocketOriginOf('http://127.0.0.1:8787')).toBe('ws://127.0.0.1:8787');
    expect(websocketOriginOf('https://sync.example.com')).toBe('wss://sync.example.com');
    expect(() => websocketOriginOf('ftp://x')).toThrow();
  });

  it('recognises only our own pages', () => {
    const production = { devRendererUrl: null };
    expect(isRendererUrl(production, 'app://switchboard/index.html')).toBe(true);
    expect(isRendererUrl(production, 'app://evil/index.html')).toBe(false);
    expect(isRendererUrl(production, 'http://localhost:5173/')).toBe(false);
    expect(isRendererUrl(production, 'file:///index.html')).toBe(false);
    const dev = { devRendererUrl: 'http://localhost:5173/' };
    expect(isRendererUrl(dev, 'http://localhost:5173/?server=x')).toBe(true);
    expect(isRendererUrl(dev, 'http://localhost:5174/')).toBe(false);
    expect(isRendererUrl(dev, 'https://localhost:5173/')).toBe(false);
  });
});

describe('rendererUrl', () => {
  const serverUrl = 'https://sync.example.com/sb';

  it('loads index.html over app:// with the server as a query parameter', () => {
    const url = new URL(rendererUrl({ devRendererUrl: null, serverUrl }, 'inbox'));
    expect(url.href.startsWith('app://switchboard/index.html?')).toBe(true);
    expect(url.searchParams.get('server')).toBe(serverUrl);
    expect(url.searchParams.has('window')).toBe(false);
  });

  it('marks the settings window with ?window=settings', () => {
    const url = new URL(rendererUrl({ devRendererUrl: null, serverUrl }, 'settings'));
    expect(url.searchParams.get('window')).toBe('settings');
    expect(url.searchParams.get('server')).toBe(serverUrl);
  });

  it('loads the dev server in development', () => {
    const url = new URL(rendererUrl({ devRendererUrl: 'http://localhost:5173/', serverUrl }, 'inbox'));
    expect(url.origin).toBe('http://localhost:5173');
    expect(url.searchParams.get('server')).toBe(serverUrl);
  });
});
