/**
 * New-message notifications (product §9) from the worker's notices: none for the user's own
 * actions, none for a conversation open in a focused window, none for new requests while Away
 * or for the super-admin (N1 is off by default for them, as it covers every group).
 */
import { getBridge } from '../bridge';
import type { InboxNotice } from '../sync/protocol';
import i18n from '../i18n';
import { useLive } from './live-state';
import { useSession } from './session';
import { openConversationId } from './runtime';

const OWN_ACTION_WINDOW_MS = 10_000;
const ownActions = new Map<number, number>();

/** Remembers that this user just acted on a conversation (a transfer they made is not news to them). */
export function noteOwnAction(conversationId: number): void {
  ownActions.set(conversationId, Date.now());
}

function actedRecently(conversationId: number): boolean {
  const at = ownActions.get(conversationId);
  return at !== undefined && Date.now() - at < OWN_ACTION_WINDOW_MS;
}

export function isFocusedOn(conversationId: number): boolean {
  return openConversationId() === conversationId && document.visibilityState === 'visible' && document.hasFocus();
}

export function handleNotice(notice: InboxNotice): void {
  const { userId, me } = useSession.getState();
  if (userId === null) return;
  if (isFocusedOn(notice.conversationId)) return;
  if (notice.kind === 'transferred_to_me' && actedRecently(notice.conversationId)) return;
  if (notice.kind === 'new_request') {
    if (me?.isOwner) return;
    if (useLive.getState().presence.operators[userId] === 'away') return;
  }
  const t = i18n.t.bind(i18n);
  const name = notice.clientName;
  const title = {
    new_request: t('notify.newRequest', { name }),
    client_message: t('notify.clientMessage', { name }),
    transferred_to_me: t('notify.transferred', { name }),
    message_failed: t('notify.failed', { name }),
  }[notice.kind];
  void getBridge().notify({
    id: `${notice.kind}:${notice.conversationId}`,
    title,
    body: notice.preview ?? '',
    conversationId: notice.conversationId,
    requireInteraction: true,
  }).catch(() => undefined);
}
