/**
 * Asking to sign out: at once when nothing is waiting to reach the server, else through the
 * confirmation of SignOutDialog (loaded with the dialogs, after the inbox's first paint).
 */
import { create } from 'zustand';
import { signOut } from '../../app/session';
import { useLive } from '../../app/live-state';

export const useSignOut = create<{ confirming: boolean; busy: boolean }>(() => ({ confirming: false, busy: false }));

/** Signs out now (the dialog's confirm button, or nothing pending). */
export async function confirmSignOut(): Promise<void> {
  useSignOut.setState({ busy: true });
  try {
    await signOut();
  } finally {
    useSignOut.setState({ busy: false, confirming: false });
  }
}

export function requestSignOut(): void {
  if (useSignOut.getState().busy) return;
  if (useLive.getState().pending > 0) useSignOut.setState({ confirming: true });
  else void confirmSignOut();
}
