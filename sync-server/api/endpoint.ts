/** What each group of REST endpoints gets from the API plugin. */
import type { FastifyRequest } from 'fastify';
import type { CompanyState } from '../company/directory';
import type { ServerContext } from '../context';
import type { ApiAuth, ApiCaller } from './auth';
import type { ConversationObjectContext, ConversationSource, OperatorPresence } from './objects';

export interface ApiCall {
  req: FastifyRequest;
  caller: ApiCaller;
}

/** Handlers return the `data` of the success envelope; errors are thrown as HttpError or Rejection. */
export type ApiHandler = (call: ApiCall) => Promise<unknown>;

export type DefineEndpoint = (method: 'GET' | 'POST', path: string, handler: ApiHandler) => void;

export interface ApiDeps {
  ctx: ServerContext;
  auth: ApiAuth;
  /** Presence of a user (product §6.2.4), from the sync gateway's live connections. */
  presenceOf(companyId: number, userId: number): OperatorPresence;
}

/** Where an avatar-less client's placeholder picture is served (product §11.6.1). */
export const AVATAR_PLACEHOLDER_PATH = '/static/avatar-placeholder.png';

export function conversationContext(deps: ApiDeps, state: CompanyState, source: ConversationSource): ConversationObjectContext {
  if (state.ownerId === null) throw new Error(`company ${state.id} has no super-admin`);
  return {
    ownerId: state.ownerId,
    accountChannel: state.accountChannels.get(source.row.accountChannelId),
    avatarPlaceholderUrl: `${deps.ctx.publicUrl()}${AVATAR_PLACEHOLDER_PATH}`,
  };
}
