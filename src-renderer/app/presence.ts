/**
 * This device's viewing and typing state (product §4.6), handed to the worker as awareness:
 * viewing = the open conversation; idle = the window is in the background or had no input for
 * 60 s (others then see a dimmed avatar); typing ends 5 s after the last keystroke.
 */
import { worker } from './runtime';

const TYPING_MS = 5_000;
const IDLE_MS = 60_000;

interface PresenceState {
  viewing: number | null;
  typing: number | null;
  idle: boolean;
}

let state: PresenceState = { viewing: null, typing: null, idle: false };
let sent = '';
let typingTimer: ReturnType<typeof setTimeout> | null = null;
let lastInput = Date.now();
let started = false;

function foreground(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

function update(patch: Partial<PresenceState>): void {
  state = { ...state, ...patch };
  push();
}

function push(force = false): void {
  const idle = !foreground() || Date.now() - lastInput > IDLE_MS;
  state = { ...state, idle };
  const key = JSON.stringify(state);
  if (key === sent && !force) return;
  const w = worker();
  if (!w) return;
  sent = key;
  w.setPresence(state).catch(() => {
    sent = '';
  });
}

export function setViewing(conversationId: number | null): void {
  if (state.typing !== null && state.typing !== conversationId) stopTyping();
  update({ viewing: conversationId });
}

export function noteTyping(conversationId: number): void {
  lastInput = Date.now();
  if (typingTimer) clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, TYPING_MS);
  if (state.typing !== conversationId) update({ typing: conversationId });
}

export function stopTyping(): void {
  if (typingTimer) clearTimeout(typingTimer);
  typingTimer = null;
  if (state.typing !== null) update({ typing: null });
}

/** Starts following focus, visibility and input; returns the stop function. */
export function startPresenceTracking(): () => void {
  if (started) return () => undefined;
  started = true;
  const onInput = () => {
    const wasIdle = state.idle;
    lastInput = Date.now();
    if (wasIdle) push();
  };
  const onFocusChange = () => push();
  const events: Array<keyof WindowEventMap> = ['keydown', 'pointerdown', 'pointermove', 'wheel'];
  for (const e of events) window.addEventListener(e, onInput, { passive: true });
  window.addEventListener('focus', onFocusChange);
  window.addEventListener('blur', onFocusChange);
  document.addEventListener('visibilitychange', onFocusChange);
  const tick = setInterval(() => push(), 5_000);
  push(true);
  return () => {
    started = false;
    for (const e of events) window.removeEventListener(e, onInput);
    window.removeEventListener('focus', onFocusChange);
    window.removeEventListener('blur', onFocusChange);
    document.removeEventListener('visibilitychange', onFocusChange);
    clearInterval(tick);
    state = { viewing: null, typing: null, idle: false };
    sent = '';
  };
}

/** Pushes the state again (after the worker started). */
export function resendPresence(): void {
  push(true);
}
