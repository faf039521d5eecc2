import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOperator, http, signup, startTestServer, type TestServer } from '../test/harness';
import { parseInvitationCsv } from './service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('sign-up and sign-in', () => {
  it('creates the company, its super-admin, the Default group and an API token', async () => {
    const owner = await signup(server.url);
    expect(owner.accessToken).toBeTruthy();
    expect(owner.apiToken).toHaveLength(48);
    const me = await http(server.url, 'GET', '/auth/me', { token: owner.accessToken });
    expect(me.body.data).toMatchObject({ id: owner.userId, companyId: owner.companyId, isOwner: true });
    const state = await server.server.ctx.directory.get(owner.companyId);
    const groups = [...state.groups.values()];
    expect(groups).toEqual([{ id: expect.any(Number), name: 'Default', priority: 1, color: '#607D8B', isDefault: true }]);
    const token = await http(server.url, 'GET', '/admin/api-token', { token: owner.accessToken });
    expect(token.body.data.token).toBe(owner.apiToken);
  });

  it('refuses a used email, a short password and a malformed body with field errors', async () => {
    const owner = await signup(server.url);
    const again = await http(server.url, 'POST', '/auth/signup', {
      body: { companyName: 'X', name: 'Y', email: owner.email.toUpperCase(), phone: '+1000', password: 'long enough password' },
    });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: { email: 'Email is already in use' }, status: 400 });
    const short = await http(server.url, 'POST', '/auth/signup', { body: { companyName: 'X', name: 'Y', email: 'new@example.com', phone: '+1000', password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error.password).toMatch(/at least 10/);
    const bad = await http(server.url, 'POST', '/auth/signup', { raw: '{not json', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'Body is not valid JSON', status: 400 });
  });

  it('signs in, rotates refresh tokens and signs out', async () => {
    const owner = await signup(server.url);
    const login = await http(server.url, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
    expect(login.status).toBe(200);
    const refreshed = await http(server.url, 'POST', '/auth/refresh', { body: { refreshToken: login.body.data.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.data.refreshToken).not.toBe(login.body.data.refreshToken);
    const reused = await http(server.url, 'POST', '/auth/refresh', { body: { refreshToken: login.body.data.refreshToken } });
    expect(reused.status).toBe(401);
    await http(server.url, 'POST', '/auth/logout', { body: { refreshToken: refreshed.body.data.refreshToken } });
    const afterLogout = await http(server.url, 'POST', '/auth/refresh', { body: { refreshToken: refreshed.body.data.refreshToken } });
    expect(afterLogout.status).toBe(401);
  });

  it('rejects forged and expired access tokens', async () => {
    const owner = await signup(server.url);
    const [body, sig] = owner.accessToken.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sub: 999 })).toString('base64url')}.${sig}`;
    expect((await http(server.url, 'GET', '/auth/me', { token: forged })).status).toBe(401);
    expect((await http(server.url, 'GET', '/auth/me')).status).toBe(401);
    const expired = server.server.ctx.tokens.issue({ sub: owner.userId, cid: owner.companyId, ver: 0 }, Date.now() - 3_600_000);
    expect((await http(server.url, 'GET', '/auth/me', { token: expired.token })).status).toBe(401);
  });

  it('blocks an email for 15 minutes after ten failed attempts', async () => {
    const owner = await signup(server.url);
    const results: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await http(server.url, 'POST', '/auth/login', {
        body: { email: owner.email, password: `wrong password ${i}` },
        headers: { 'x-forwarded-for': `10.0.0.${i}` },
      });
      results.push(res.status);
    }
    expect(results.slice(0, 10).every((s) => s === 401 || s === 429)).toBe(true);
    const blocked = await http(server.url, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('operators', () => {
  it('invites an operator who registers, becomes Active and signs in', async () => {
    const owner = await signup(server.url);
    const inv = await http(server.url, 'POST', '/admin/operators/invite', { token: owner.accessToken, body: { email: 'mia@example.org' } });
    expect(inv.status).toBe(200);
    const invited = inv.body.data.invited[0];
    let list = await http(server.url, 'GET', '/admin/operators', { token: owner.accessToken });
    expect(list.body.data.find((o: any) => o.email === 'mia@example.org').status).toBe('not_registered');
    const info = await http(server.url, 'GET', `/auth/invitation?token=${encodeURIComponent(invited.invitationToken)}`);
    expect(info.body.data.email).toBe('mia@example.org');
    const accepted = await http(server.url, 'POST', '/auth/accept-invite', { body: { token: invited.invitationToken, name: 'Mia', password: 'mia password 123' } });
    expect(accepted.status).toBe(200);
    list = await http(server.url, 'GET', '/admin/operators', { token: owner.accessToken });
    expect(list.body.data.find((o: any) => o.email === 'mia@example.org')).toMatchObject({ status: 'active', name: 'Mia' });
    const again = await http(server.url, 'POST', '/auth/accept-invite', { body: { token: invited.invitationToken, name: 'Mia', password: 'mia password 123' } });
    expect(again.status).toBe(400);
    const login = await http(server.url, 'POST', '/auth/login', { body: { email: 'mia@example.org', password: 'mia password 123' } });
    expect(login.status).toBe(200);
  });

  it('only the super-admin invites', async () => {
    const owner = await signup(server.url);
    const op = await addOperator(server.url, owner.accessToken);
    const res = await http(server.url, 'POST', '/admin/operators/invite', { token: op.accessToken, body: { email: 'x@example.org' } });
    expect(res.status).toBe(403);
  });

  it('invites from a CSV: skips header, invalid, duplicate and used addresses', async () => {
    const owner = await signup(server.url);
    await addOperator(server.url, owner.accessToken, { email: 'used@example.org' });
    const csv = 'email;name\nann@example.org;Ann\nnot-an-email\nANN@example.org\nused@example.org\n"bob@example.org",Bob\n';
    const res = await http(server.url, 'POST', '/admin/operators/invite', { token: owner.accessToken, body: { csv } });
    expect(res.status).toBe(200);
    expect(res.body.data.invited.map((i: any) => i.email)).toEqual(['ann@example.org', 'bob@example.org']);
    expect(res.body.data.skipped).toEqual([
      { email: 'not-an-email', reason: 'invalid' },
      { email: 'ann@example.org', reason: 'duplicate' },
      { email: 'used@example.org', reason: 'in_use' },
    ]);
  });

  it('refuses a CSV over 500 rows as a whole', async () => {
    expect(() => parseInvitationCsv(Array.from({ length: 501 }, (_, i) => `u${i}@example.org`).join('\n'))).toThrow(/at most 500/);
    const owner = await signup(server.url);
    const csv = Array.from({ length: 501 }, (_, i) => `u${i}@example.org`).join('\n');
    const res = await http(server.url, 'POST', '/admin/operators/invite', { token: owner.accessToken, body: { csv } });
    expect(res.status).toBe(400);
    const list = await http(server.url, 'GET', '/admin/operators', { token: owner.accessToken });
    expect(list.body.data).toHaveLength(1);
  });

  it('resending an invitation voids the old link', async () => {
    const owner = await signup(server.url);
    const inv = await http(server.url, 'POST', '/admin/operators/invite', { token: owner.accessToken, body: { email: 'late@example.org' } });
    const first = inv.body.data.invited[0];
    const resent = await http(server.url, 'POST', `/admin/operators/${first.userId}/resend-invitation`, { token: owner.accessToken });
    expect(resent.status).toBe(200);
    const old = await http(server.url, 'POST', '/auth/accept-invite', { body: { token: first.invitationToken, name: 'Late', password: 'late password 1' } });
    expect(old.status).toBe(400);
    const fresh = await http(server.url, 'POST', '/auth/accept-invite', { body: { token: resent.body.data.invitationToken, name: 'Late', password: 'late password 1' } });
    expect(fresh.status).toBe(200);
  });

  it('deactivates (tokens stop working), refuses deleting an active operator, deletes a deactivated one', async () => {
    const owner = await signup(server.url);
    const op = await addOperator(server.url, owner.accessToken);
    const del = await http(server.url, 'DELETE', `/admin/operators/${op.userId}`, { token: owner.accessToken });
    expect(del.status).toBe(400);
    const deact = await http(server.url, 'POST', `/admin/operators/${op.userId}/deactivate`, { token: owner.accessToken });
    expect(deact.status).toBe(200);
    expect((await http(server.url, 'GET', '/auth/me', { token: op.accessToken })).status).toBe(401);
    expect((await http(server.url, 'POST', '/auth/refresh', { body: { refreshToken: op.refreshToken } })).status).toBe(401);
    const login = await http(server.url, 'POST', '/auth/login', { body: { email: op.email, password: 'operator password 1' } });
    expect(login.status).toBe(403);
    const del2 = await http(server.url, 'DELETE', `/admin/operators/${op.userId}`, { token: owner.accessToken });
    expect(del2.status).toBe(200);
    // The email can be used again.
    const reinvite = await http(server.url, 'POST', '/admin/operators/invite', { token: owner.accessToken, body: { email: op.email } });
    expect(reinvite.body.data.invited).toHaveLength(1);
  });

  it('regenerating the API token replaces the old one', async () => {
    const owner = await signup(server.url);
    const res = await http(server.url, 'POST', '/admin/api-token', { token: owner.accessToken });
    expect(res.body.data.token).not.toBe(owner.apiToken);
    expect(await server.server.ctx.accounts.resolveApiToken(owner.apiToken)).toBeNull();
    expect(await server.server.ctx.accounts.resolveApiToken(res.body.data.token)).toEqual({ companyId: owner.companyId, userId: null });
  });
});
