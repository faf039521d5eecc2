/** UI-only state of the inbox window (ARCHITECTURE: zustand holds UI state; data comes from Dexie). */
import { create } from 'zustand';

export type InboxTab = 'unassigned' | 'mine' | 'closed' | 'all';

export interface UiState {
  tab: InboxTab;
  search: string;
  clientPanelOpen: boolean;
  paletteOpen: boolean;
  shortcutsOpen: boolean;
  transferOpen: boolean;
  preferencesOpen: boolean;
  /** The conversation ids of the visible list, in order (for j/k and the palette). */
  listIds: number[];
  /** Incremented to ask the composer to take focus in a mode (r / n). */
  composerRequest: { mode: 'reply' | 'note'; seq: number } | null;
  /** Incremented to ask the list to take focus (Esc); `listFocusAt` lets a list that mounts a moment later take it. */
  listFocusSeq: number;
  listFocusAt: number;
  searchFocusSeq: number;
  conversationFocusSeq: number;
  conversationFocusAt: number;
}

export const useUi = create<UiState>(() => ({
  tab: 'mine',
  search: '',
  clientPanelOpen: readPanelPreference(),
  paletteOpen: false,
  shortcutsOpen: false,
  transferOpen: false,
  preferencesOpen: false,
  listIds: [],
  composerRequest: null,
  listFocusSeq: 0,
  listFocusAt: 0,
  searchFocusSeq: 0,
  conversationFocusSeq: 0,
  conversationFocusAt: 0,
}));

/** Open unless the user closed it; on a narrow window (where it covers the conversation) closed at start. */
function readPanelPreference(): boolean {
  if (typeof window !== 'undefined' && window.innerWidth < 1200) return false;
  try {
    return localStorage.getItem('switchboard.clientPanel') !== 'closed';
  } catch {
    return true;
  }
}

export function setClientPanelOpen(open: boolean): void {
  useUi.setState({ clientPanelOpen: open });
  try {
    localStorage.setItem('switchboard.clientPanel', open ? 'open' : 'closed');
  } catch {
    /* private mode */
  }
}

export function focusComposer(mode: 'reply' | 'note'): void {
  useUi.setState((s) => ({ composerRequest: { mode, seq: (s.composerRequest?.seq ?? 0) + 1 } }));
}

export function focusList(): void {
  useUi.setState((s) => ({ listFocusSeq: s.listFocusSeq + 1, listFocusAt: Date.now() }));
}

/** A focus request for the list is still fresh (the list may be about to mount). */
export function takeListFocusRequest(): boolean {
  const { listFocusAt } = useUi.getState();
  if (listFocusAt === 0 || Date.now() - listFocusAt > 1500) return false;
  useUi.setState({ listFocusAt: 0 });
  return true;
}

export function focusSearch(): void {
  useUi.setState((s) => ({ searchFocusSeq: s.searchFocusSeq + 1 }));
}

export function focusConversation(): void {
  useUi.setState((s) => ({ conversationFocusSeq: s.conversationFocusSeq + 1, conversationFocusAt: Date.now() }));
}

/** A fresh request to focus the open conversation (its timeline may be about to mount). */
export function takeConversationFocusRequest(): boolean {
  const { conversationFocusAt } = useUi.getState();
  if (conversationFocusAt === 0 || Date.now() - conversationFocusAt > 2000) return false;
  useUi.setState({ conversationFocusAt: 0 });
  return true;
}
