/**
 * The user's actions on conversations, handed to the sync worker. They work offline: the worker
 * queues them and the list shows the requested state with a pending marker (product §2.5).
 */
import type { RepairAction, TransitionAction } from '../../src-core/conversation/types';
import { decideTransition, type LifecycleState } from '../../src-core/conversation/lifecycle';
import type { Actor } from '../../src-core/permissions';
import type { InboxRow } from '../../src-core/conversation/projection';
import i18n from '../i18n';
import { worker } from './runtime';
import { noteOwnAction } from './notifications';
import { toast } from './toasts';

function client() {
  const w = worker();
  if (!w) throw new Error(i18n.t('toast.notReady'));
  return w;
}

async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    toast(i18n.t('toast.actionFailed', { message: err instanceof Error ? err.message : String(err) }), 'error');
    return undefined;
  }
}

export function transition(conversationId: number, action: TransitionAction, targets?: { operatorId?: number; groupId?: number }) {
  noteOwnAction(conversationId);
  return attempt(() => client().transition(conversationId, action, targets));
}

export async function sendMessage(conversationId: number, kind: 'out' | 'note', text: string): Promise<boolean> {
  noteOwnAction(conversationId);
  const result = await attempt(() => client().send(conversationId, kind, text));
  return result !== undefined;
}

export function repair(conversationId: number, messageId: string, action: RepairAction) {
  return attempt(() => client().repair(conversationId, messageId, action));
}

/** Resolves true once the edit is stored on this device, false when it was refused. */
export async function setTopic(conversationId: number, topicId: number, on: boolean): Promise<boolean> {
  return (await attempt(() => client().setTopic(conversationId, topicId, on).then(() => true))) === true;
}

export function setTag(conversationId: number, tag: string, on: boolean) {
  return attempt(() => client().setTag(conversationId, tag, on));
}

export function rename(conversationId: number, name: string) {
  return attempt(() => client().rename(conversationId, name));
}

export function markRead(conversationId: number) {
  return worker()?.markRead(conversationId).catch(() => undefined);
}

export type ConversationAction = 'take' | 'transfer' | 'return' | 'close' | 'reopen';

export interface ActionAvailability {
  /** Shown for this status at all. */
  shown: boolean;
  enabled: boolean;
  /** Why it is disabled (an i18n key), when shown and disabled. */
  reason: string | null;
}

function stateOf(row: InboxRow): LifecycleState {
  return {
    status: row.status, assigneeId: row.assigneeId, groupId: row.groupId, distributing: row.distributing,
    locked: row.locked, queryId: row.queryId, closeGroupId: row.closeGroupId,
  };
}

/**
 * Which of the header's actions the viewer may use now (product §4.4), decided by the same pure
 * function the server applies, against the row as this device sees it.
 */
export function availability(row: InboxRow, actor: Actor, action: ConversationAction): ActionAvailability {
  const state = stateOf(row);
  const shownFor: Record<ConversationAction, InboxRow['status'][]> = {
    take: ['unassigned'],
    transfer: ['unassigned', 'inbox'],
    return: ['inbox'],
    close: ['unassigned', 'inbox'],
    reopen: ['closed'],
  };
  const shown = shownFor[action].includes(row.status);
  if (!shown) return { shown, enabled: false, reason: null };
  let decision;
  if (action === 'transfer') {
    // Any target will do for the question "may this user transfer at all".
    const byGroup = decideTransition(state, { action: 'transfer_group', targetGroupId: -1 }, actor);
    const byOperator = decideTransition(state, { action: 'transfer_operator', targetOperatorId: -1 }, actor);
    decision = byGroup.outcome === 'applied' || byOperator.outcome === 'applied' ? byGroup.outcome === 'applied' ? byGroup : byOperator : byGroup;
  } else {
    decision = decideTransition(state, { action }, actor);
  }
  if (decision.outcome === 'applied') return { shown, enabled: true, reason: null };
  if (decision.outcome === 'noop') return { shown, enabled: false, reason: 'action.reason.already' };
  const reason = decision.reason;
  if (row.distributing) return { shown, enabled: false, reason: 'action.reason.distributing' };
  if (row.locked) return { shown, enabled: false, reason: 'action.reason.locked' };
  if (reason.includes('another operator') || reason === 'Access denied') return { shown, enabled: false, reason: 'action.reason.noRights' };
  return { shown, enabled: false, reason: 'action.reason.notNow' };
}
