import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ allowedOrigins: ['http://localhost:5173'] });
});
afterAll(async () => {
  await server.close();
});

describe('cross-origin access', () => {
  it('answers the desktop app’s preflight and marks its responses readable', async () => {
    const pre = await fetch(`${server.url}/auth/login`, {
      method: 'OPTIONS',
      headers: { origin: 'app://switchboard', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('app://switchboard');
    expect(pre.headers.get('access-control-allow-headers')).toContain('content-type');
    const res = await fetch(`${server.url}/health`, { headers: { origin: 'app://switchboard' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('app://switchboard');
  });

  it('allows configured development origins and nobody else', async () => {
    const dev = await fetch(`${server.url}/health`, { headers: { origin: 'http://localhost:5173' } });
    expect(dev.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const evil = await fetch(`${server.url}/auth/login`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const plain = await fetch(`${server.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });
});
