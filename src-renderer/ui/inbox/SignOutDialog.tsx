/**
 * Sign-out deletes this device's copy. When changes are still waiting to reach the server, the
 * user is told first: signing out now would lose them.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import { LoaderCircle } from 'lucide-react';
import { signOut } from '../../app/session';
import { useLive } from '../../app/live-state';
import { Dialog } from '../kit/Dialog';

const useSignOut = create<{ confirming: boolean; busy: boolean }>(() => ({ confirming: false, busy: false }));

async function run(): Promise<void> {
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
  else void run();
}

export function SignOutDialog() {
  const { t } = useTranslation();
  const { confirming, busy } = useSignOut();
  const pending = useLive((s) => s.pending);
  const [focusCancel] = useState(true);
  return (
    <Dialog
      open={confirming}
      onClose={() => useSignOut.setState({ confirming: false })}
      title={t('signOut.title')}
      description={t('signOut.pending', { count: pending })}
      className="dialog--narrow"
    >
      <div className="dialog__actions">
        <button type="button" className="button" autoFocus={focusCancel} onClick={() => useSignOut.setState({ confirming: false })}>
          {t('signOut.stay')}
        </button>
        <button type="button" className="button button--danger" disabled={busy} onClick={() => void run()}>
          {busy ? <LoaderCircle aria-hidden="true" className="spin" size={16} /> : null}
          {t('signOut.confirm')}
        </button>
      </div>
    </Dialog>
  );
}
