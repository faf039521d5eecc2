/**
 * Routes live in the hash, so that every build (app://, http, file) serves one index.html:
 * `#/signup`, `#/login`, `#/accept-invite?token=…`, `#/conversation/<id>`, `#/` (the inbox).
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { name: 'inbox'; conversationId: number | null }
  | { name: 'signup' }
  | { name: 'login' }
  | { name: 'accept-invite'; token: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path, search = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'signup':
      return { name: 'signup' };
    case 'login':
      return { name: 'login' };
    case 'accept-invite':
      return { name: 'accept-invite', token: new URLSearchParams(search).get('token') ?? '' };
    case 'conversation': {
      const id = Number(parts[1]);
      return { name: 'inbox', conversationId: Number.isSafeInteger(id) && id > 0 ? id : null };
    }
    default:
      return { name: 'inbox', conversationId: null };
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash, () => '');
  return parseRoute(hash);
}

export function navigate(hash: string, opts: { replace?: boolean } = {}): void {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (location.hash === target) return;
  if (opts.replace) {
    history.replaceState(history.state, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = target;
  }
}

export function conversationHash(id: number | null): string {
  return id === null ? '#/' : `#/conversation/${id}`;
}

/** Opens a conversation; moving through the list replaces the history entry instead of piling them up. */
export function openConversationRoute(id: number | null, opts: { replace?: boolean } = {}): void {
  navigate(conversationHash(id), opts);
}
