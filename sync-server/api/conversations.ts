/**
 * Conversation endpoints (product §11.3): `unassigned`, `start`, `send-message`, `close`.
 * Transitions and replies go through the ConversationService, the same path as the desktop apps'
 * requests (product §2.5); lists read the relational mirror.
 */
import { z } from 'zod';
import { REJECT, type Decision } from '../../src-core/conversation/lifecycle';
import type { TransitionAction } from '../../src-core/conversation/types';
import { canWriteConversation, type Actor } from '../../src-core/permissions';
import { HttpError } from '../http/errors';
import type { ActingUser } from './auth';
import { conversationContext, type ApiDeps, type DefineEndpoint } from './endpoint';
import { conversationObject, messageObject, type ConversationObject } from './objects';
import {
  MAX_TEXT_LENGTH, MAX_TOPIC_IDS, applicationParam, flagParam, id, idList, limitParam, offsetParam, readParams, textParam,
} from './params';
import { listUnassigned, loadConversationRecord, unassignedScopeOf } from './records';

const conversationId = id('Conversation ID');
const operatorId = id('Operator ID').optional();
// Accepted and validated; outgoing webhooks are not sent yet, so there is nothing to switch off.
const disableWebhook = flagParam('Disable webhook').default(false);

const UnassignedParams = z.object({
  group_id: id('Group ID').optional(),
  operator_id: operatorId,
  application: applicationParam.optional(),
  limit: limitParam,
  offset: offsetParam,
});
const StartParams = z.object({ conversation_id: conversationId, operator_id: operatorId, disable_webhook: disableWebhook });
const CloseParams = z.object({
  conversation_id: conversationId,
  operator_id: operatorId,
  disable_webhook: disableWebhook,
  topic_ids: idList('Topic IDs', MAX_TOPIC_IDS).optional(),
});
const SendMessageParams = z.object({
  conversation_id: conversationId,
  text: textParam('Text'),
  operator_id: operatorId,
  disable_webhook: disableWebhook,
});

const NOT_FOUND = 'Conversation not found';

/** A refused transition: its reason is the REST error (product §11.2); rights are a 403. */
function settle(decision: Decision): void {
  if (decision.outcome === 'rejected') throw new HttpError(decision.reason === REJECT.accessDenied ? 403 : 400, decision.reason);
}

export function conversationEndpoints(define: DefineEndpoint, deps: ApiDeps): void {
  const { ctx, auth } = deps;

  async function conversationData(acting: ActingUser, id: number): Promise<ConversationObject> {
    const record = await loadConversationRecord(ctx.storage, acting.state.id, id);
    if (!record) throw new HttpError(400, NOT_FOUND);
    return conversationObject(record, conversationContext(deps, acting.state, record));
  }

  async function transition(actor: Actor, id: number, action: TransitionAction): Promise<Decision> {
    const { decision } = await ctx.conversations.transition(actor, id, { action });
    return decision;
  }

  define('GET', '/conversations/unassigned', async ({ req, caller }) => {
    const params = readParams(UnassignedParams, req.query, 'query');
    const acting = await auth.acting(caller, params.operator_id);
    const scope = unassignedScopeOf(acting.actor);
    if (params.group_id !== undefined) {
      if (!acting.state.groups.has(params.group_id)) throw new HttpError(400, REJECT.groupNotFound);
      if (!scope.all && !scope.groupIds.includes(params.group_id)) throw new HttpError(403, REJECT.accessDenied);
    }
    const records = await listUnassigned(ctx.storage, acting.state.id, {
      scope, groupId: params.group_id, application: params.application, limit: params.limit, offset: params.offset,
    });
    return records.map((record) => conversationObject(record, conversationContext(deps, acting.state, record)));
  });

  define('POST', '/conversations/start', async ({ req, caller }) => {
    const params = readParams(StartParams, req.body, 'body');
    const acting = await auth.acting(caller, params.operator_id);
    // Take (T4); a closed conversation is reopened into the user's My inbox instead (T9).
    let decision = await transition(acting.actor, params.conversation_id, 'take');
    if (decision.outcome === 'rejected' && decision.reason === REJECT.closed) {
      decision = await transition(acting.actor, params.conversation_id, 'reopen');
    }
    settle(decision);
    return conversationData(acting, params.conversation_id);
  });

  define('POST', '/conversations/close', async ({ req, caller }) => {
    const params = readParams(CloseParams, req.body, 'body');
    const acting = await auth.acting(caller, params.operator_id);
    // `topic_ids` is validated, but the company has no topic list on the server yet to attach from.
    settle(await transition(acting.actor, params.conversation_id, 'close'));
    return conversationData(acting, params.conversation_id);
  });

  define('POST', '/conversations/send-message', async ({ req, caller }) => {
    const params = readParams(SendMessageParams, req.body, 'body');
    if (params.text.length > MAX_TEXT_LENGTH) throw new HttpError(400, 'Text is too long');
    const acting = await auth.acting(caller, params.operator_id);
    const before = await loadConversationRecord(ctx.storage, acting.state.id, params.conversation_id);
    if (!before) throw new HttpError(400, NOT_FOUND);
    // Sending leaves the status as it is (product §11.3), but needs the right to write in the
    // conversation: view_all_inboxes alone reads other users' inboxes without answering there.
    const access = { status: before.row.status, assigneeId: before.row.assigneeId, groupId: before.row.groupId, distributing: before.row.distributing };
    if (!canWriteConversation(acting.actor, access)) throw new HttpError(403, REJECT.accessDenied);
    const { message, delivery } = await ctx.conversations.postMessage(acting.actor, params.conversation_id, 'out', params.text);
    const after = (await loadConversationRecord(ctx.storage, acting.state.id, params.conversation_id)) ?? before;
    return messageObject({
      message, delivery, conversationId: after.row.id, queryId: after.row.queryId, clientId: after.row.clientId,
      accountChannelId: after.row.accountChannelId,
    });
  });
}
