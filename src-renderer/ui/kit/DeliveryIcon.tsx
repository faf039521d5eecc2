/**
 * The delivery status of an outgoing message: a distinct small icon for each status (UI.md),
 * `role="img"` named by the status, with a tooltip that says what it means.
 */
import { AlertCircle, Check, CheckCheck, CircleHelp, Clock, PauseCircle, Send } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { DisplayDeliveryStatus } from '../../../src-core/conversation/types';
import { Tooltip } from './Tooltip';

const ICONS: Record<DisplayDeliveryStatus, typeof Check> = {
  pending: Clock,
  held: PauseCircle,
  queued: Send,
  sent: Check,
  delivered: CheckCheck,
  read: CheckCheck,
  failed: AlertCircle,
  unknown: CircleHelp,
};

export function DeliveryIcon({ status, detail }: { status: DisplayDeliveryStatus; detail?: string | null }) {
  const { t } = useTranslation();
  const Icon = ICONS[status];
  const name = t(`delivery.${status}.name`);
  const help = detail ? `${t(`delivery.${status}.help`)} ${detail}` : t(`delivery.${status}.help`);
  return (
    <Tooltip content={help} describe={false}>
      <span role="img" aria-label={name} className={`delivery delivery--${status}`}>
        <Icon aria-hidden="true" size={14} strokeWidth={2.2} />
      </span>
    </Tooltip>
  );
}
