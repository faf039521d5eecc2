/**
 * The web client served by the sync server: a real server on 127.0.0.1 with a temporary built
 * client folder; raw HTTP requests so that traversal spellings reach the server unnormalised.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';
import { crc32, drawAvatarPlaceholder } from './avatar';
import { buildWebCsp, needsInlineStyles, websocketOrigins } from './csp';
import { isPlainSegment, resolveWebPath } from './paths';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** Sends the request target exactly as given (fetch would resolve `..` before sending). */
function raw(baseUrl: string, target: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: target, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const INDEX_HTML = '<!doctype html><html><head><title>Switchboard</title><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';

let parent: string;
let webRoot: string;
let server: TestServer;

function makeClientFolder(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
}

beforeAll(async () => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-web-'));
  webRoot = path.join(parent, 'renderer');
  makeClientFolder(webRoot, {
    'index.html': INDEX_HTML,
    'assets/index-abc123.js': 'console.log("app")',
    'assets/index-abc123.css': 'body{margin:0}',
    'assets/logo-1.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'sw.js': 'self.addEventListener("fetch", () => {})',
    'favicon.ico': 'ico',
    '.env': SECRET,
    'assets/.hidden.js': SECRET,
  });
  fs.writeFileSync(path.join(parent, 'secret.txt'), SECRET);
  fs.symlinkSync(path.join(parent, 'secret.txt'), path.join(webRoot, 'link-out.txt'));
  fs.symlinkSync(parent, path.join(webRoot, 'dir-out'));
  fs.symlinkSync(path.join(webRoot, '.env'), path.join(webRoot, 'link-to-dotfile.txt'));
  fs.symlinkSync(path.join(webRoot, 'assets', 'index-abc123.js'), path.join(webRoot, 'inside-link.js'));
  server = await startTestServer({ webRoot });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(parent, { recursive: true, force: true });
});

function expectSecurityHeaders(res: RawResponse): void {
  const csp = String(res.headers['content-security-policy']);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self';");
  expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
  expect(csp).toContain("img-src 'self' data: blob:");
  expect(csp).toContain("worker-src 'self'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("form-action 'none'");
  expect(csp).not.toContain('unsafe-eval');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

describe('serving the built client', () => {
  it('serves index.html at / and /index.html, revalidated on every use, with the security headers', async () => {
    for (const target of ['/', '/index.html', '/?server=x']) {
      const res = await raw(server.url, target);
      expect(res.status, target).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toBe(INDEX_HTML);
      expectSecurityHeaders(res);
    }
  });

  it('serves hashed assets with their types and a long cache, and sw.js uncached', async () => {
    const js = await raw(server.url, '/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-length']).toBe(String('console.log("app")'.length));
    expect(js.text).toBe('console.log("app")');
    expectSecurityHeaders(js);

    const css = await raw(server.url, '/assets/index-abc123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await raw(server.url, '/assets/logo-1.svg')).headers['content-type']).toBe('image/svg+xml');

    const sw = await raw(server.url, '/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(sw.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(sw);

    const ico = await raw(server.url, '/favicon.ico');
    expect(ico.headers['content-type']).toBe('image/x-icon');
    expect(ico.headers['cache-control']).toBe('no-cache');
  });

  it('answers HEAD without a body and a matching If-None-Match with 304', async () => {
    const head = await raw(server.url, '/assets/index-abc123.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const first = await raw(server.url, '/');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const again = await raw(server.url, '/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('falls back to index.html for extension-less app routes', async () => {
    for (const target of ['/inbox', '/inbox/42', '/settings/', '/conversation/7?x=1', '/API-docs']) {
      const res = await raw(server.url, target);
      expect(res.status, target).toBe(200);
      expect(res.text, target).toBe(INDEX_HTML);
      expect(res.headers['cache-control']).toBe('no-cache');
      expectSecurityHeaders(res);
    }
  });

  it('answers 404 for missing files and missing hashed assets, never index.html', async () => {
    for (const target of ['/missing.js', '/assets/index-zzz.js', '/assets/chunk', '/assets/', '/nope.png']) {
      const res = await raw(server.url, target);
      expect(res.status, target).toBe(404);
      expect(JSON.parse(res.text), target).toEqual({ error: 'Not found', status: 404 });
    }
  });

  it('refuses traversal, encoded or not, dotfiles and symlinks out of the root', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/..%5csecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/.%2e/secret.txt',
      '/%2e./secret',
      '/..',
      '/.',
      '/./index.html',
      '/.env',
      '/%2eenv',
      '/assets/.hidden.js',
      '/link-out.txt',
      '/dir-out/secret.txt',
      '/link-to-dotfile.txt',
      '/index.html%00.js',
      '/%00',
      '/assets//index-abc123.js',
      '//etc/passwd',
      '/C:%5cWindows',
      '/index.html::$DATA',
      `/${'a'.repeat(3000)}`,
    ];
    for (const target of attempts) {
      const res = await raw(server.url, target);
      expect(res.status, target).toBe(404);
      expect(res.text, target).not.toContain(SECRET);
      expect(res.text, target).not.toContain('<html');
      expect(res.headers['content-type'], target).toMatch(/^application\/json/);
    }
    // Malformed percent-encoding: Fastify's router refuses it before any hook (400).
    for (const target of ['/..%c0%afsecret.txt', '/%ff', '/assets/%e0%80%ae%e0%80%ae/secret.txt']) {
      const res = await raw(server.url, target);
      expect([400, 404], target).toContain(res.status);
      expect(res.text, target).not.toContain(SECRET);
      expect(res.text, target).not.toContain('<html');
    }
    // A symlink that stays inside the root is an ordinary file.
    expect((await raw(server.url, '/inside-link.js')).status).toBe(200);
  });

  it('leaves the server routes alone', async () => {
    const health = await raw(server.url, '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
    expect(health.headers['content-security-policy']).toBeUndefined();

    for (const target of ['/api/nothing-here', '/auth/nothing', '/admin/nothing', '/channels/x', '/sync', '/yjs/company%2F1', '/static/other.png', '/api']) {
      const res = await raw(server.url, target);
      expect(res.status, target).toBe(404);
      expect(JSON.parse(res.text), target).toEqual({ error: 'Not found', status: 404 });
    }
    // The REST API keeps its own 405 for a known path with the wrong method.
    const wrong = await raw(server.url, '/api/conversations/start');
    expect(wrong.status).toBe(405);
    expect(JSON.parse(wrong.text)).toEqual({ error: 'Method not allowed', status: 405 });
    const login = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.com', password: 'wrong password' }) });
    expect(login.status).toBe(401);
    // Other methods on client paths are not files.
    expect((await raw(server.url, '/', { method: 'POST' })).status).toBe(404);
    expect((await raw(server.url, '/inbox', { method: 'DELETE' })).status).toBe(404);
  });

  it('serves the avatar placeholder PNG', async () => {
    const res = await raw(server.url, '/static/avatar-placeholder.png');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect([...res.body.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(res.body.readUInt32BE(16)).toBe(64);
    expect(res.body.readUInt32BE(20)).toBe(64);
  });
});

describe('without a web client', () => {
  it('answers / with the JSON 404 and still serves the avatar placeholder', async () => {
    const none = await startTestServer();
    try {
      const res = await raw(none.url, '/');
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text)).toEqual({ error: 'Not found', status: 404 });
      expect((await raw(none.url, '/inbox')).status).toBe(404);
      expect((await raw(none.url, '/static/avatar-placeholder.png')).status).toBe(200);
    } finally {
      await none.close();
    }
  });

  it('treats a folder without index.html as no web client', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-web-empty-'));
    fs.writeFileSync(path.join(empty, 'other.js'), 'x');
    const s = await startTestServer({ webRoot: empty });
    try {
      expect((await raw(s.url, '/')).status).toBe(404);
      expect((await raw(s.url, '/other.js')).status).toBe(404);
      // Built later: served from then on.
      fs.writeFileSync(path.join(empty, 'index.html'), INDEX_HTML);
      expect((await raw(s.url, '/')).status).toBe(200);
    } finally {
      await s.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('content security policy', () => {
  it("allows inline styles only when the built client writes them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-web-csp-'));
    try {
      makeClientFolder(dir, { 'index.html': INDEX_HTML, 'assets/a.js': 'document.body.style.color = "red"' });
      expect(needsInlineStyles(dir)).toBe(false);
      fs.writeFileSync(path.join(dir, 'assets/b.js'), 'const s=document.createElement("style");s.textContent=css;');
      expect(needsInlineStyles(dir)).toBe(true);
      fs.rmSync(path.join(dir, 'assets/b.js'));
      fs.writeFileSync(path.join(dir, 'index.html'), '<html><head><style>body{}</style></head></html>');
      expect(needsInlineStyles(dir)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(buildWebCsp({ websocketOrigins: [], inlineStyles: false })).toContain("style-src 'self';");
    expect(buildWebCsp({ websocketOrigins: [], inlineStyles: true })).toContain("style-src 'self' 'unsafe-inline';");
  });

  it('names the WebSocket form of the origin the browser used, and refuses odd Host headers', () => {
    expect(websocketOrigins('127.0.0.1:8787', false, null)).toEqual(['ws://127.0.0.1:8787']);
    expect(websocketOrigins('LocalHost:8787', false, 'https://sb.example.com')).toEqual(['ws://localhost:8787', 'wss://sb.example.com']);
    expect(websocketOrigins('[::1]:80', false, null)).toEqual(['ws://[::1]:80']);
    expect(websocketOrigins("evil.com; script-src 'unsafe-inline'", false, null)).toEqual([]);
    expect(websocketOrigins(undefined, false, null)).toEqual([]);
  });
});

describe('path rules', () => {
  it('resolves app paths and refuses the rest', () => {
    expect(resolveWebPath('/')).toEqual({ kind: 'file', relative: 'index.html', fallback: false });
    expect(resolveWebPath('/assets/a-1.js?v=1')).toEqual({ kind: 'file', relative: 'assets/a-1.js', fallback: false });
    expect(resolveWebPath('/inbox/3')).toEqual({ kind: 'file', relative: 'inbox/3', fallback: true });
    expect(resolveWebPath('/assets/x')).toEqual({ kind: 'file', relative: 'assets/x', fallback: false });
    expect(resolveWebPath('/api/x')).toEqual({ kind: 'server' });
    expect(resolveWebPath('/%61pi/x')).toEqual({ kind: 'server' });
    expect(resolveWebPath('/health')).toEqual({ kind: 'server' });
    for (const bad of ['', 'index.html', '/a/../b', '/%2e%2e', '/a%2fb', '/a%5cb', '/%', '/a%00']) expect(resolveWebPath(bad), bad).toEqual({ kind: 'refused' });
    for (const bad of ['..', '.', '.env', 'a.', 'a ', 'a:b', 'a\\b', '%2e', '']) expect(isPlainSegment(bad), bad).toBe(false);
    expect(isPlainSegment('index-abc.js')).toBe(true);
  });
});

describe('avatar placeholder', () => {
  it('is a valid PNG whose chunks check out and whose pixels decode', () => {
    const png = drawAvatarPlaceholder(32);
    let offset = 8;
    const chunks: Array<{ type: string; data: Buffer }> = [];
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const type = png.toString('ascii', offset + 4, offset + 8);
      const data = png.subarray(offset + 8, offset + 8 + length);
      expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
      chunks.push({ type, data });
      offset += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const pixels = zlib.inflateSync(chunks[1].data);
    expect(pixels.length).toBe((32 * 4 + 1) * 32);
    const alphaAt = (x: number, y: number) => pixels[y * (32 * 4 + 1) + 1 + x * 4 + 3];
    expect(alphaAt(0, 0)).toBe(0); // corner: transparent
    expect(alphaAt(16, 16)).toBe(255); // centre: opaque
  });
});
