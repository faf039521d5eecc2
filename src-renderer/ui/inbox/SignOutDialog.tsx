/**
 * Sign-out deletes this device's copy. When changes are still waiting to reach the server, the
 * user is told first: signing out now would lose them.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoaderCircle } from 'lucide-react';
import { useLive } from '../../app/live-state';
import { Dialog } from '../kit/Dialog';
import { confirmSignOut, useSignOut } from './sign-out';

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
        <button type="button" className="button button--danger" disabled={busy} onClick={() => void confirmSignOut()}>
          {busy ? <LoaderCircle aria-hidden="true" className="spin" size={16} /> : null}
          {t('signOut.confirm')}
        </button>
      </div>
    </Dialog>
  );
}
