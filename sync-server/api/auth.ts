/**
 * Who a REST call acts as (product §11.1): the token in the header literally named
 * `Authentication` (a token only in `Authorization` counts as missing), limited to 20 requests a
 * second per token with bursts of 40. The company token acts as the super-admin, or as the
 * operator named by `operator_id`; an operator-scoped token always acts as its operator.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../src-core/permissions';
import { REJECT } from '../../src-core/conversation/lifecycle';
import { actorOf, type CompanyState, type DirectoryUser } from '../company/directory';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { TokenBuckets } from '../http/rate-limit';
import { sha256Hex } from '../security/crypto';

export const API_RATE_PER_SECOND = 20;
export const API_BURST = 40;
export const AUTH_HEADER = 'authentication';

/** The credentials of a call, before any `operator_id` is applied. */
export interface ApiCaller {
  companyId: number;
  /** The operator of an operator-scoped token; null for the company token. */
  tokenUserId: number | null;
}

/** The user a call acts as, with the company state it was checked against. */
export interface ActingUser {
  state: CompanyState;
  user: DirectoryUser;
  actor: Actor;
  /** True when acting through the company token (as the super-admin or on an operator's behalf). */
  viaCompanyToken: boolean;
}

export class ApiAuth {
  private readonly buckets: TokenBuckets;

  constructor(private readonly ctx: ServerContext, clock: () => number = Date.now) {
    this.buckets = new TokenBuckets(API_RATE_PER_SECOND, API_BURST, clock);
  }

  /** Reads and checks the token; throws the 401/429 of product §11.2. */
  async authenticate(req: FastifyRequest): Promise<ApiCaller> {
    const header = req.headers[AUTH_HEADER];
    const token = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
    if (token.length === 0) throw new HttpError(401, 'Empty token');
    // Keyed by the token's hash, so no plaintext token lingers in memory.
    const wait = this.buckets.take(sha256Hex(token));
    if (wait > 0) throw new HttpError(429, 'Too many requests', { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) });
    const resolved = await this.ctx.accounts.resolveApiToken(token);
    if (!resolved) throw new HttpError(401, 'Invalid token');
    let state: CompanyState;
    try {
      state = await this.ctx.directory.get(resolved.companyId);
    } catch {
      throw new HttpError(401, 'Invalid token');
    }
    // An operator's token stops working with its operator (deactivated or deleted).
    if (resolved.userId !== null && !actorOf(state, resolved.userId)) throw new HttpError(401, 'Invalid token');
    return { companyId: resolved.companyId, tokenUserId: resolved.userId };
  }

  /**
   * The acting user: the token's operator; else `operator_id`; else the super-admin. An unknown
   * operator is a 400 "Operator not found" (product §11.2).
   */
  async acting(caller: ApiCaller, operatorId: number | undefined): Promise<ActingUser> {
    const state = await this.ctx.directory.get(caller.companyId);
    const viaCompanyToken = caller.tokenUserId === null;
    const userId = caller.tokenUserId ?? operatorId ?? state.ownerId;
    if (userId === null) throw new Error(`company ${caller.companyId} has no super-admin`);
    const user = state.users.get(userId);
    if (!user || user.deleted) {
      if (!viaCompanyToken) throw new HttpError(401, 'Invalid token');
      throw new HttpError(400, REJECT.operatorNotFound);
    }
    const actor = actorOf(state, userId);
    if (!actor) {
      if (!viaCompanyToken) throw new HttpError(401, 'Invalid token');
      throw new HttpError(400, REJECT.operatorNotActive);
    }
    return { state, user, actor, viaCompanyToken };
  }
}
