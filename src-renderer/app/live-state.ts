/**
 * What the sync worker reports, held for the screens: the connection, the team's presence and
 * the open conversation. Data itself comes from Dexie; this is only the worker's transient state.
 */
import { create } from 'zustand';
import type { PeerStatus } from '../../src-core/sync/peer';
import type { ConversationView, PresenceView } from '../sync/protocol';
import type { InboxDb } from './store-access';

export interface LiveState {
  db: InboxDb | null;
  /**
   * The first list page was read (or could not be): reads that can wait (counts, the badge)
   * start then, so that they do not queue before it in the store.
   */
  firstPageRead: boolean;
  workerReady: boolean;
  connection: PeerStatus;
  pending: number;
  presence: PresenceView;
  /** The open conversation as the worker decoded it (null until it answers). */
  view: ConversationView | null;
  /** The open conversation was removed from this device while it was open. */
  revokedId: number | null;
  /** The server could not be reached to renew the session: the device is offline as far as it can tell. */
  unreachable: boolean;
}

/** A fresh state: no store open, nothing known about the connection yet. */
function initialLive(): LiveState {
  return {
    db: null,
    firstPageRead: false,
    workerReady: false,
    connection: 'connecting',
    pending: 0,
    presence: { operators: {}, viewers: [] },
    view: null,
    revokedId: null,
    unreachable: false,
  };
}

export const useLive = create<LiveState>(initialLive);

export function resetLive(): void {
  useLive.setState(initialLive());
}
