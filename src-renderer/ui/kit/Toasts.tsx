/** The polite announcements of things that happened out of view. */
import { X } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { dismissToast, useToasts } from '../../app/toasts';

export function Toasts() {
  const { t } = useTranslation();
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions text">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast--${toast.tone}`}>
          <span className="toast__text">{toast.text}</span>
          <button type="button" className="icon-button icon-button--small" aria-label={t('common.dismiss')} onClick={() => dismissToast(toast.id)}>
            <X aria-hidden="true" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
