/**
 * The inbox's keyboard map (UI.md). Single keys are ignored while the user types in a field;
 * Ctrl/Cmd combinations and Esc always work. Open dialogs handle their own keys.
 */
import { useEffect, useRef } from 'react';
import type { ConversationRecord } from '../store/schema';
import { availability, type ConversationAction } from './actions';
import type { Viewer } from './data';
import { openConversationRoute } from './router';
import { focusComposer, focusConversation, focusList, focusSearch, useUi, type InboxTab } from './ui-state';

export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(type);
  }
  return false;
}

export interface ShortcutContext {
  openId: number | null;
  row: ConversationRecord | null | undefined;
  viewer: Viewer | null;
  tabs: InboxTab[];
  runAction(row: ConversationRecord, action: ConversationAction): void;
}

function step(delta: number, openId: number | null): void {
  const ids = useUi.getState().listIds;
  if (ids.length === 0) return;
  const index = openId === null ? -1 : ids.indexOf(openId);
  const next = index < 0 ? (delta > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, index + delta));
  if (ids[next] !== openId) openConversationRoute(ids[next], { replace: true });
}

export function useInboxShortcuts(context: ShortcutContext): void {
  const latest = useRef(context);
  latest.current = context;
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const ctx = latest.current;
      if (e.defaultPrevented || e.isComposing) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        useUi.setState((s) => ({ paletteOpen: !s.paletteOpen }));
        return;
      }
      if (document.querySelector('dialog[open]')) return;
      const typing = isTypingTarget(e.target);
      if (e.key === 'Escape') {
        if (typing) (e.target as HTMLElement).blur();
        focusList();
        return;
      }
      if (typing || mod || e.altKey) return;
      const { row, viewer, openId } = ctx;
      const act = (action: ConversationAction) => {
        if (!row || !viewer) return;
        const a = availability(row, viewer.actor, action);
        if (a.shown && a.enabled) ctx.runAction(row, action);
      };
      let handled = true;
      switch (e.key) {
        case 'j':
          step(1, openId);
          break;
        case 'k':
          step(-1, openId);
          break;
        case 'Enter':
          // Only from "nowhere": Enter on a button or link must keep activating it.
          if (e.target !== document.body || openId === null) handled = false;
          else focusConversation();
          break;
        case 'r':
          if (openId === null) handled = false;
          else focusComposer('reply');
          break;
        case 'n':
          if (openId === null) handled = false;
          else focusComposer('note');
          break;
        case 't':
          act('take');
          break;
        case 'e':
          act('close');
          break;
        case 'a':
          act('transfer');
          break;
        case '/':
          focusSearch();
          break;
        case '1':
        case '2':
        case '3': {
          const tab = ctx.tabs[Number(e.key) - 1];
          if (tab) {
            const inList = (e.target as HTMLElement | null)?.getAttribute?.('role') === 'listbox';
            useUi.setState({ tab, search: '' });
            // Keep the keyboard in the list: the new tab's list takes focus when it mounts.
            if (inList) focusList();
          }
          break;
        }
        case '?':
          useUi.setState({ shortcutsOpen: true });
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
