/**
 * Companies and their users (product §6.1–§6.2): sign-up of a company with its super-admin,
 * sign-in with refresh-token rotation, invitations (single and CSV), deactivation and deletion.
 */
import type { CompanyDirectory } from '../company/directory';
import type { ConversationService } from '../conversations/service';
import { HttpError } from '../http/errors';
import { TokenBuckets } from '../http/rate-limit';
import { randomToken, sha256Hex, type SecretBox } from '../security/crypto';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../security/passwords';
import type { AccessTokens } from '../security/tokens';
import type { Storage, WriteTx } from '../storage/storage';
import type { TokenPair } from '../../src-core/protocol/auth';

export const REFRESH_TTL_MS = 30 * 24 * 3600_000;
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const DEFAULT_GROUP = { name: 'Default', priority: 1, color: '#607D8B' };
export const MAX_CSV_ROWS = 500;

export type { TokenPair };

export interface InviteOutcome {
  invited: Array<{ email: string; userId: number; invitationToken: string }>;
  skipped: Array<{ email: string; reason: 'invalid' | 'duplicate' | 'in_use' }>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email);
}

/**
 * Parses an invitation CSV (product §6.2.1): UTF-8, first column, comma or semicolon separators,
 * a first row whose first cell has no `@` is a header, at most 500 rows.
 */
export function parseInvitationCsv(text: string): string[] {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((r) => r.trim()).filter((r) => r.length > 0);
  const cells = rows.map((r) => r.split(/[;,]/)[0].trim().replace(/^"(.*)"$/, '$1').trim());
  if (cells.length > 0 && !cells[0].includes('@')) cells.shift();
  if (cells.length > MAX_CSV_ROWS) throw new HttpError(400, { file: `A list holds at most ${MAX_CSV_ROWS} addresses` });
  return cells;
}

export class AccountService {
  /** Failed sign-ins per email: more than 10 in 15 minutes blocks the email for 15 minutes. */
  private readonly failures = new Map<string, number[]>();
  /** Sign-in attempts per client address, against password spraying. */
  private readonly attemptsByIp = new TokenBuckets(5, 30);

  constructor(
    private readonly storage: Storage,
    private readonly directory: CompanyDirectory,
    private readonly conversations: ConversationService,
    private readonly tokens: AccessTokens,
    private readonly secrets: SecretBox,
    private readonly clock: () => number = Date.now,
  ) {}

  // ---- sign-up and sign-in ----------------------------------------------------------------------

  async signup(input: { companyName: string; name: string; email: string; phone: string; password: string; timeZone: string }): Promise<TokenPair & { apiToken: string }> {
    const email = normaliseEmail(input.email);
    const passwordHash = await hashPassword(input.password);
    const db = this.storage.db;
    const now = this.clock();
    const apiToken = randomToken(48);
    const created = await this.storage.write(async (tx) => {
      if (await this.emailInUse(tx, email)) throw new HttpError(400, { email: 'Email is already in use' });
      const company = await tx.run(db.insertInto('companies').values({ name: input.companyName, time_zone: input.timeZone, owner_user_id: null, created_at: now }));
      const companyId = company.insertId!;
      const user = await tx.run(db.insertInto('users').values({
        company_id: companyId, email, name: input.name, phone: input.phone, password_hash: passwordHash, is_owner: 1, status: 'active',
        role_id: null, deleted: 0, away: 0, token_version: 0, access_epoch: 1, created_at: now, last_seen_at: null,
      }));
      const userId = user.insertId!;
      await tx.run(db.updateTable('companies').set({ owner_user_id: userId }).where('id', '=', companyId));
      await tx.run(db.insertInto('groups').values({ company_id: companyId, name: DEFAULT_GROUP.name, priority: DEFAULT_GROUP.priority, color: DEFAULT_GROUP.color, is_default: 1 }));
      await this.storeApiToken(tx, companyId, null, apiToken);
      await this.directory.writeCompanyDoc(tx, companyId);
      const session = await this.createSession(tx, userId, now);
      return { companyId, userId, refreshToken: session };
    });
    const access = this.tokens.issue({ sub: created.userId, cid: created.companyId, ver: 0 });
    return {
      accessToken: access.token, accessExpiresAt: access.expiresAt, refreshToken: created.refreshToken,
      userId: created.userId, companyId: created.companyId, apiToken,
    };
  }

  private async emailInUse(tx: WriteTx, email: string): Promise<boolean> {
    const row = await tx.first(this.storage.db.selectFrom('users').select('id').where('email', '=', email).where('deleted', '=', 0));
    return row !== undefined;
  }

  async login(emailInput: string, password: string, clientAddress: string): Promise<TokenPair> {
    const email = normaliseEmail(emailInput);
    const now = this.clock();
    const wait = this.attemptsByIp.take(clientAddress);
    if (wait > 0) throw new HttpError(429, 'Too many requests', { 'Retry-After': String(Math.ceil(wait / 1000)) });
    const recent = (this.failures.get(email) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
    this.failures.set(email, recent);
    if (recent.length >= LOGIN_FAILURE_LIMIT) {
      const retry = Math.ceil((recent[0] + LOGIN_WINDOW_MS - now) / 1000);
      throw new HttpError(429, 'Too many failed sign-in attempts; try again later', { 'Retry-After': String(Math.max(1, retry)) });
    }
    const user = await this.storage.first(
      this.storage.db.selectFrom('users').selectAll().where('email', '=', email).where('deleted', '=', 0),
    );
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
    if (!user || !ok || user.status !== 'active') {
      if (!user || !ok) {
        recent.push(now);
        throw new HttpError(401, 'Wrong email or password');
      }
      throw new HttpError(403, user.status === 'deactivated' ? 'This account is deactivated' : 'Registration is not finished');
    }
    this.failures.delete(email);
    const refreshToken = await this.storage.write(async (tx) => {
      await tx.run(this.storage.db.updateTable('users').set({ last_seen_at: now }).where('id', '=', user.id));
      return this.createSession(tx, user.id, now);
    });
    const access = this.tokens.issue({ sub: user.id, cid: user.company_id, ver: user.token_version });
    return { accessToken: access.token, accessExpiresAt: access.expiresAt, refreshToken, userId: user.id, companyId: user.company_id };
  }

  private async createSession(tx: WriteTx, userId: number, now: number): Promise<string> {
    const refresh = randomToken(64);
    await tx.run(this.storage.db.insertInto('sessions').values({
      user_id: userId, refresh_hash: sha256Hex(refresh), expires_at: now + REFRESH_TTL_MS, revoked: 0, created_at: now,
    }));
    return refresh;
  }

  /** Rotates a refresh token: the old one stops working, a new pair is issued. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock();
    const hash = sha256Hex(refreshToken);
    const db = this.storage.db;
    const result = await this.storage.write(async (tx) => {
      const session = await tx.first(db.selectFrom('sessions').selectAll().where('refresh_hash', '=', hash));
      if (!session || session.revoked === 1 || session.expires_at <= now) return null;
      const user = await tx.first(db.selectFrom('users').selectAll().where('id', '=', session.user_id));
      if (!user || user.deleted === 1 || user.status !== 'active') return null;
      await tx.run(db.updateTable('sessions').set({ revoked: 1 }).where('id', '=', session.id));
      const next = await this.createSession(tx, user.id, now);
      return { user, next };
    });
    if (!result) throw new HttpError(401, 'Invalid or expired refresh token');
    const access = this.tokens.issue({ sub: result.user.id, cid: result.user.company_id, ver: result.user.token_version });
    return { accessToken: access.token, accessExpiresAt: access.expiresAt, refreshToken: result.next, userId: result.user.id, companyId: result.user.company_id };
  }

  async logout(refreshToken: string): Promise<void> {
    const hash = sha256Hex(refreshToken);
    await this.storage.write((tx) => tx.run(this.storage.db.updateTable('sessions').set({ revoked: 1 }).where('refresh_hash', '=', hash)));
  }

  // ---- invitations ------------------------------------------------------------------------------

  async invite(companyId: number, emails: string[], groupIds: number[], roleId: number | null): Promise<InviteOutcome> {
    const db = this.storage.db;
    const now = this.clock();
    const outcome: InviteOutcome = { invited: [], skipped: [] };
    await this.storage.write(async (tx) => {
      const state = await this.directory.get(companyId);
      for (const g of groupIds) if (!state.groups.has(g)) throw new HttpError(400, { groupIds: 'Group not found' });
      if (roleId !== null && !state.roles.has(roleId)) throw new HttpError(400, { roleId: 'Role not found' });
      const groups = groupIds.length > 0 ? groupIds : [[...state.groups.values()].find((g) => g.isDefault)!.id];
      const seen = new Set<string>();
      for (const raw of emails) {
        const email = normaliseEmail(raw);
        if (!isValidEmail(email)) {
          outcome.skipped.push({ email: raw.trim(), reason: 'invalid' });
          continue;
        }
        if (seen.has(email)) {
          outcome.skipped.push({ email, reason: 'duplicate' });
          continue;
        }
        seen.add(email);
        if (await this.emailInUse(tx, email)) {
          outcome.skipped.push({ email, reason: 'in_use' });
          continue;
        }
        const user = await tx.run(db.insertInto('users').values({
          company_id: companyId, email, name: email.split('@')[0], phone: null, password_hash: null, is_owner: 0,
          status: 'not_registered', role_id: roleId, deleted: 0, away: 0, token_version: 0, access_epoch: 1, created_at: now, last_seen_at: null,
        }));
        const userId = user.insertId!;
        for (const g of groups) await tx.run(db.insertInto('group_members').values({ group_id: g, user_id: userId }));
        const token = await this.createInvitation(tx, userId, now);
        outcome.invited.push({ email, userId, invitationToken: token });
      }
      if (outcome.invited.length > 0) await this.directory.writeCompanyDoc(tx, companyId);
    });
    return outcome;
  }

  private async createInvitation(tx: WriteTx, userId: number, now: number): Promise<string> {
    const token = randomToken(40);
    await tx.run(this.storage.db.updateTable('invitations').set({ used: 1 }).where('user_id', '=', userId));
    await tx.run(this.storage.db.insertInto('invitations').values({ token_hash: sha256Hex(token), user_id: userId, expires_at: now + INVITATION_TTL_MS, used: 0, created_at: now }));
    return token;
  }

  /** Resend: a new link, the old one void (product §6.2.1). */
  async resendInvitation(companyId: number, userId: number): Promise<string> {
    return this.storage.write(async (tx) => {
      const user = await tx.first(this.storage.db.selectFrom('users').selectAll().where('id', '=', userId).where('company_id', '=', companyId).where('deleted', '=', 0));
      if (!user) throw new HttpError(400, 'Operator not found');
      if (user.status !== 'not_registered') throw new HttpError(400, 'Operator has already registered');
      return this.createInvitation(tx, userId, this.clock());
    });
  }

  async describeInvitation(token: string): Promise<{ email: string; companyName: string } | null> {
    const db = this.storage.db;
    const inv = await this.storage.first(db.selectFrom('invitations').selectAll().where('token_hash', '=', sha256Hex(token)));
    if (!inv || inv.used === 1 || inv.expires_at <= this.clock()) return null;
    const user = await this.storage.first(db.selectFrom('users').innerJoin('companies', 'companies.id', 'users.company_id')
      .select(['users.email', 'companies.name', 'users.status', 'users.deleted']).where('users.id', '=', inv.user_id));
    if (!user || user.deleted === 1 || user.status !== 'not_registered') return null;
    return { email: user.email, companyName: user.name };
  }

  /** Completes registration: name and password; the operator becomes Active and is signed in. */
  async acceptInvitation(token: string, name: string, password: string): Promise<TokenPair> {
    const passwordHash = await hashPassword(password);
    const db = this.storage.db;
    const now = this.clock();
    const result = await this.storage.write(async (tx) => {
      const inv = await tx.first(db.selectFrom('invitations').selectAll().where('token_hash', '=', sha256Hex(token)));
      if (!inv || inv.used === 1 || inv.expires_at <= now) throw new HttpError(400, 'Invitation link is invalid or has expired');
      const user = await tx.first(db.selectFrom('users').selectAll().where('id', '=', inv.user_id));
      if (!user || user.deleted === 1 || user.status !== 'not_registered') throw new HttpError(400, 'Invitation link is invalid or has expired');
      await tx.run(db.updateTable('invitations').set({ used: 1 }).where('token_hash', '=', inv.token_hash));
      await tx.run(db.updateTable('users').set({ name, password_hash: passwordHash, status: 'active', last_seen_at: now }).where('id', '=', user.id));
      await this.directory.writeCompanyDoc(tx, user.company_id);
      const refresh = await this.createSession(tx, user.id, now);
      return { user, refresh };
    });
    const access = this.tokens.issue({ sub: result.user.id, cid: result.user.company_id, ver: result.user.token_version });
    return { accessToken: access.token, accessExpiresAt: access.expiresAt, refreshToken: result.refresh, userId: result.user.id, companyId: result.user.company_id };
  }

  // ---- deactivation and deletion ----------------------------------------------------------------

  /**
   * Deactivate (product §6.2.3): sign-in refused, sessions and tokens void (sockets close),
   * My inbox returns to Unassigned (T10).
   */
  async deactivate(companyId: number, userId: number): Promise<void> {
    await this.storage.write(async (tx) => {
      const user = await this.operatorOf(tx, companyId, userId);
      if (user.status === 'deactivated') return;
      if (user.status !== 'active') throw new HttpError(400, 'Only active operators can be deactivated');
      await tx.run(this.storage.db.updateTable('users').set({ status: 'deactivated', token_version: user.token_version + 1 }).where('id', '=', userId));
      await tx.run(this.storage.db.updateTable('sessions').set({ revoked: 1 }).where('user_id', '=', userId));
      await this.directory.writeCompanyDoc(tx, companyId);
    });
    await this.conversations.releaseInboxOf(companyId, userId);
  }

  async reactivate(companyId: number, userId: number): Promise<void> {
    await this.storage.write(async (tx) => {
      const user = await this.operatorOf(tx, companyId, userId);
      if (user.status !== 'deactivated') throw new HttpError(400, 'Only deactivated operators can be reactivated');
      await tx.run(this.storage.db.updateTable('users').set({ status: 'active' }).where('id', '=', userId));
      await this.directory.writeCompanyDoc(tx, companyId);
    });
  }

  /** Delete: only deactivated operators or unfinished invitations; the email becomes reusable. */
  async remove(companyId: number, userId: number, opts: { force?: boolean } = {}): Promise<void> {
    if (opts.force) await this.deactivate(companyId, userId).catch(() => undefined);
    await this.storage.write(async (tx) => {
      const user = await this.operatorOf(tx, companyId, userId);
      if (user.status === 'active') throw new HttpError(400, 'Deactivate the operator before deleting');
      await tx.run(this.storage.db.updateTable('users').set({ deleted: 1, password_hash: null, token_version: user.token_version + 1 }).where('id', '=', userId));
      await tx.run(this.storage.db.updateTable('invitations').set({ used: 1 }).where('user_id', '=', userId));
      await tx.run(this.storage.db.updateTable('sessions').set({ revoked: 1 }).where('user_id', '=', userId));
      await this.directory.writeCompanyDoc(tx, companyId);
    });
  }

  private async operatorOf(tx: WriteTx, companyId: number, userId: number) {
    const user = await tx.first(this.storage.db.selectFrom('users').selectAll().where('id', '=', userId).where('company_id', '=', companyId).where('deleted', '=', 0));
    if (!user || user.is_owner === 1) throw new HttpError(400, 'Operator not found');
    return user;
  }

  // ---- REST API tokens --------------------------------------------------------------------------

  private async storeApiToken(tx: WriteTx, companyId: number, userId: number | null, token: string): Promise<void> {
    const db = this.storage.db;
    let del = db.deleteFrom('api_tokens').where('company_id', '=', companyId);
    del = userId === null ? del.where('user_id', 'is', null) : del.where('user_id', '=', userId);
    await tx.run(del);
    await tx.run(db.insertInto('api_tokens').values({
      token_hash: sha256Hex(token), company_id: companyId, user_id: userId, token_enc: this.secrets.seal(token), created_at: this.clock(),
    }));
  }

  /** Issues a new company API token; the previous one stops working. */
  async regenerateApiToken(companyId: number): Promise<string> {
    const token = randomToken(48);
    await this.storage.write((tx) => this.storeApiToken(tx, companyId, null, token));
    return token;
  }

  async companyApiToken(companyId: number): Promise<string | null> {
    const row = await this.storage.first(this.storage.db.selectFrom('api_tokens').select('token_enc').where('company_id', '=', companyId).where('user_id', 'is', null));
    return row ? this.secrets.open(row.token_enc) : null;
  }

  /** Resolves a REST `Authentication` token: the company token, or an operator-scoped one. */
  async resolveApiToken(token: string): Promise<{ companyId: number; userId: number | null } | null> {
    if (!token || token.length > 256) return null;
    const row = await this.storage.first(this.storage.db.selectFrom('api_tokens').select(['company_id', 'user_id']).where('token_hash', '=', sha256Hex(token)));
    return row ? { companyId: row.company_id, userId: row.user_id } : null;
  }
}
