import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./testing/fake-electron'));

import { protocol, resetFakeElectron } from './testing/fake-electron';
import {
  registerAppProtocol,
  registerAppScheme,
  resolveAppRequest,
  resolveRendererPath,
  serveAppRequest,
} from './protocol';

const root = path.resolve('/srv/switchboard/out/renderer');
const index = path.join(root, 'index.html');

beforeEach(() => resetFakeElectron());

describe('resolveRendererPath', () => {
  it('serves index.html for the root', () => {
    expect(resolveRendererPath(root, '/')).toEqual({ kind: 'file', filePath: index, fallbackPath: null });
  });

  it('serves files inside the renderer folder', () => {
    expect(resolveRendererPath(root, '/assets/index-abc123.js')).toEqual({
      kind: 'file',
      filePath: path.join(root, 'assets', 'index-abc123.js'),
      fallbackPath: null,
    });
    expect(resolveRendererPath(root, '/fonts/Inter%20Var.woff2')).toEqual({
      kind: 'file',
      filePath: path.join(root, 'fonts', 'Inter Var.woff2'),
      fallbackPath: null,
    });
  });

  it('falls back to index.html for extensionless routes', () => {
    expect(resolveRendererPath(root, '/settings')).toEqual({
      kind: 'file',
      filePath: path.join(root, 'settings'),
      fallbackPath: index,
    });
    expect(resolveRendererPath(root, '/conversation/42')).toMatchObject({ fallbackPath: index });
    expect(resolveRendererPath(root, '/settings/')).toEqual({ kind: 'file', filePath: index, fallbackPath: null });
  });

  it('does not fall back for missing assets', () => {
    expect(resolveRendererPath(root, '/assets/missing.js')).toMatchObject({ fallbackPath: null });
  });

  it.each([
    ['parent segment', '/../secret.txt'],
    ['nested parent segment', '/assets/../../secret.txt'],
    ['current segment', '/./index.html'],
    ['encoded parent', '/%2e%2e/secret.txt'],
    ['mixed-case encoded parent', '/%2E%2e/secret.txt'],
    ['half-encoded parent', '/.%2e/secret.txt'],
    ['encoded slash', '/..%2fsecret.txt'],
    ['encoded slash inside a name', '/assets%2f..%2f..%2fsecret.txt'],
    ['backslash', '/..\\secret.txt'],
    ['encoded backslash', '/..%5csecret.txt'],
    ['encoded backslash in a name', '/assets%5c..%5c..%5csecret.txt'],
    ['NUL byte', '/index.html%00.png'],
    ['raw NUL byte', '/index.html\u0000.png'],
    ['control character', '/index%0a.html'],
    ['Windows drive', '/C:/Windows/win.ini'],
    ['encoded Windows drive', '/C%3a/Windows/win.ini'],
    ['alternate data stream', '/index.html::$DATA'],
    ['UNC-style double slash', '//server/share/file.txt'],
    ['empty segment', '/assets//index.js'],
    ['trailing dot (Windows strips it)', '/..%20./secret.txt'],
    ['dot-space spelling of parent', '/.. /secret.txt'],
    ['three dots', '/.../secret.txt'],
    ['hidden file', '/.env'],
    ['malformed escape', '/%E0%A4%A'],
    ['relative path', 'index.html'],
    ['over-long path', `/${'a'.repeat(3000)}.js`],
  ])('refuses %s', (_name, pathname) => {
    expect(resolveRendererPath(root, pathname)).toEqual({ kind: 'refused' });
  });

  it('decodes once: a double-encoded parent is a literal file name inside the root', () => {
    expect(resolveRendererPath(root, '/%252e%252e/secret.txt')).toEqual({
      kind: 'file',
      filePath: path.join(root, '%2e%2e', 'secret.txt'),
      fallbackPath: null,
    });
  });

  it('never resolves outside the root, whatever the input', () => {
    const alphabet = ['/', '.', '%2e', '%2f', '%5c', '\\', 'a', '..', '%00', ':', '%3a', ' '];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 5000; round++) {
      let pathname = '/';
      const length = 1 + Math.floor(random() * 8);
      for (let i = 0; i < length; i++) pathname += alphabet[Math.floor(random() * alphabet.length)];
      const resolution = resolveRendererPath(root, pathname);
      if (resolution.kind === 'refused') continue;
      const relative = path.relative(root, resolution.filePath);
      expect(relative.startsWith('..') || path.isAbsolute(relative), pathname).toBe(false);
    }
  });
});

describe('resolveAppRequest', () => {
  it('accepts only app://switchboard', () => {
    expect(resolveAppRequest(root, 'app://switchboard/index.html?server=http%3A%2F%2Fx#/inbox')).toEqual({
      kind: 'file',
      filePath: index,
      fallbackPath: null,
    });
    expect(resolveAppRequest(root, 'app://other/index.html')).toEqual({ kind: 'refused' });
    expect(resolveAppRequest(root, 'app://switchboard:8080/index.html')).toEqual({ kind: 'refused' });
    expect(resolveAppRequest(root, 'app://user@switchboard/index.html')).toEqual({ kind: 'refused' });
    expect(resolveAppRequest(root, 'file:///index.html')).toEqual({ kind: 'refused' });
    expect(resolveAppRequest(root, 'not a url')).toEqual({ kind: 'refused' });
  });

  it('refuses traversal that survives URL parsing', () => {
    expect(resolveAppRequest(root, 'app://switchboard/..%2f..%2fsecret.txt')).toEqual({ kind: 'refused' });
    expect(resolveAppRequest(root, 'app://switchboard/assets/..%5c..%5csecret.txt')).toEqual({ kind: 'refused' });
  });
});

describe('serveAppRequest (on disk)', () => {
  const csp = "default-src 'self'";
  let base: string;
  let rendererRoot: string;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'switchboard-protocol-'));
    rendererRoot = path.join(base, 'renderer');
    await mkdir(path.join(rendererRoot, 'assets'), { recursive: true });
    await writeFile(path.join(rendererRoot, 'index.html'), '<!doctype html><title>Switchboard</title>');
    await writeFile(path.join(rendererRoot, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(base, 'secret.txt'), 'TOP SECRET');
    await symlink(path.join(base, 'secret.txt'), path.join(rendererRoot, 'assets', 'link.js'));
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const get = (url: string, method = 'GET'): Promise<Response> => serveAppRequest({ url, method }, rendererRoot, csp);

  it('serves a file with its content type, nosniff and the CSP', async () => {
    const response = await get('app://switchboard/assets/app.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(csp);
    expect(await response.text()).toBe('console.log(1)');
  });

  it('serves index.html for the root and for unknown routes', async () => {
    for (const url of ['app://switchboard/', 'app://switchboard/index.html?server=x', 'app://switchboard/settings', 'app://switchboard/conversation/42']) {
      const response = await get(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain('<title>Switchboard</title>');
    }
  });

  it('answers 404 for a missing asset instead of the app page', async () => {
    expect((await get('app://switchboard/assets/missing.js')).status).toBe(404);
  });

  it('answers 404 for traversal and never leaks the file outside', async () => {
    for (const url of [
      'app://switchboard/..%2fsecret.txt',
      'app://switchboard/%2e%2e%2fsecret.txt',
      'app://switchboard/assets/..%5c..%5csecret.txt',
      'app://switchboard/secret.txt%00.js',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('TOP SECRET');
    }
  });

  it('refuses a symlink that points out of the renderer folder', async () => {
    const response = await get('app://switchboard/assets/link.js');
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('TOP SECRET');
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('app://switchboard/assets/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await get('app://switchboard/assets/app.js', 'POST')).status).toBe(405);
  });

  it('is what protocol.handle("app") answers with', async () => {
    registerAppProtocol(rendererRoot, csp);
    const handler = protocol.handlers.get('app');
    expect(handler).toBeDefined();
    const response = await handler!(new Request('app://switchboard/assets/app.js'));
    expect(await response.text()).toBe('console.log(1)');
  });
});

describe('registerAppScheme', () => {
  it('registers app:// as a standard, secure scheme that fetch can use', () => {
    registerAppScheme();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }),
      }),
    ]);
  });
});
