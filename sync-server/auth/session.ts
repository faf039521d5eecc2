/**
 * Turns credentials into the acting user: bearer access tokens for the desktop app, the settings
 * window and the sync socket. Every check reads the directory, so a deactivated user or a bumped
 * token version is refused at once.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../src-core/permissions';
import { actorOf, type CompanyDirectory, type DirectoryUser } from '../company/directory';
import { HttpError } from '../http/errors';
import type { AccessTokens } from '../security/tokens';

export interface Session {
  user: DirectoryUser;
  actor: Actor;
}

export class Sessions {
  constructor(private readonly tokens: AccessTokens, private readonly directory: CompanyDirectory) {}

  /** The session of a valid access token, or null (expired, forged, deactivated, deleted). */
  async fromAccessToken(token: string): Promise<Session | null> {
    const claims = this.tokens.verify(token);
    if (!claims) return null;
    let state;
    try {
      state = await this.directory.get(claims.cid);
    } catch {
      return null;
    }
    const user = state.users.get(claims.sub);
    if (!user || user.tokenVersion !== claims.ver) return null;
    const actor = actorOf(state, user.id);
    if (!actor) return null;
    return { user, actor };
  }

  /** Reads `Authorization: Bearer <access token>`; throws 401 without a valid one. */
  async require(req: FastifyRequest): Promise<Session> {
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ')) throw new HttpError(401, 'Authentication required');
    const session = await this.fromAccessToken(header.slice(7).trim());
    if (!session) throw new HttpError(401, 'Invalid or expired token');
    return session;
  }

  /** As `require`, and the user must be the company's super-admin. */
  async requireOwner(req: FastifyRequest): Promise<Session> {
    const session = await this.require(req);
    if (!session.user.isOwner) throw new HttpError(403, 'Only the super-admin can do this');
    return session;
  }
}
