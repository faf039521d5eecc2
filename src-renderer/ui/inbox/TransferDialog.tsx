/**
 * Transfer (product §4.4 A6/A7): to an Active operator (shown with presence) or to a group; an
 * optional comment is stored as a note before the conversation moves.
 */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InboxRow } from '../../../src-core/conversation/projection';
import type { Presence } from '../../../src-core/presence';
import { sendMessage, transition } from '../../app/actions';
import { useDirectory, useViewer } from '../../app/data';
import { useLive } from '../../app/live-state';
import { Dialog } from '../kit/Dialog';
import { Avatar, PresenceDot } from '../kit/marks';

const PRESENCE_ORDER: Record<Presence, number> = { online: 0, away: 1, offline: 2 };

export function TransferDialog({ open, onClose, row }: { open: boolean; onClose(): void; row: InboxRow | null }) {
  const { t } = useTranslation();
  const { operators, groups } = useDirectory();
  const viewer = useViewer();
  const presence = useLive((s) => s.presence.operators);
  const [comment, setComment] = useState('');
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);

  const q = filter.trim().toLowerCase();
  const operatorList = useMemo(() => [...operators.values()]
    .filter((o) => !o.deleted && o.status === 'active')
    .filter((o) => !q || o.name.toLowerCase().includes(q) || o.email.toLowerCase().includes(q))
    .map((o) => ({ ...o, presence: (presence[o.id] ?? 'offline') as Presence }))
    .sort((a, b) => PRESENCE_ORDER[a.presence] - PRESENCE_ORDER[b.presence] || a.name.localeCompare(b.name)),
  [operators, presence, q]);
  const groupList = useMemo(() => [...groups.values()]
    .filter((g) => !q || g.name.toLowerCase().includes(q))
    .sort((a, b) => a.priority - b.priority),
  [groups, q]);

  if (!row) return null;

  const close = () => {
    setComment('');
    setFilter('');
    onClose();
  };

  const go = async (target: { operatorId: number } | { groupId: number }) => {
    setBusy(true);
    try {
      // The note goes first: after a transfer away, this device may lose the conversation.
      if (comment.trim()) await sendMessage(row.id, 'note', comment.trim());
      if ('operatorId' in target) await transition(row.id, 'transfer_operator', { operatorId: target.operatorId });
      else await transition(row.id, 'transfer_group', { groupId: target.groupId });
      close();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={close} title={t('transfer.title')} description={t('transfer.description', { name: row.clientName })} className="dialog--transfer">
      <div className="transfer__fields">
        <label className="field">
          <span className="field__label">{t('transfer.filter')}</span>
          <input className="input" type="text" value={filter} autoFocus onChange={(e) => setFilter(e.target.value)} autoComplete="off" />
        </label>
        <label className="field">
          <span className="field__label">{t('transfer.comment')}</span>
          <textarea className="input input--area" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
      </div>
      <div className="transfer__columns">
        <section aria-labelledby="transfer-operators">
          <h3 id="transfer-operators" className="transfer__heading">{t('transfer.operators')}</h3>
          <ul aria-label={t('transfer.operators')} className="transfer__list">
            {operatorList.length === 0 ? <li className="transfer__empty">{t('transfer.noMatch')}</li> : null}
            {operatorList.map((o) => {
              const current = row.status === 'inbox' && row.assigneeId === o.id;
              return (
                <li key={o.id}>
                  <button
                    type="button"
                    className="transfer__target"
                    aria-label={o.name}
                    aria-describedby={`transfer-op-${o.id}`}
                    disabled={busy || current}
                    onClick={() => void go({ operatorId: o.id })}
                  >
                    <span className="team__avatar">
                      <Avatar name={o.name} size={24} dimmed={o.presence !== 'online'} />
                      <PresenceDot presence={o.presence} />
                    </span>
                    <span className="transfer__name">{o.id === viewer?.id ? t('team.you', { name: o.name }) : o.name}</span>
                    <span id={`transfer-op-${o.id}`} className="transfer__meta">
                      {current ? t('transfer.current') : t(`presence.${o.presence}`)}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
        <section aria-labelledby="transfer-groups">
          <h3 id="transfer-groups" className="transfer__heading">{t('transfer.groups')}</h3>
          <ul aria-label={t('transfer.groups')} className="transfer__list">
            {groupList.length === 0 ? <li className="transfer__empty">{t('transfer.noMatch')}</li> : null}
            {groupList.map((g) => {
              const current = row.status === 'unassigned' && row.groupId === g.id && !row.distributing;
              return (
                <li key={g.id}>
                  <button
                    type="button"
                    className="transfer__target"
                    aria-label={g.name}
                    aria-describedby={current ? `transfer-group-${g.id}` : undefined}
                    disabled={busy || current}
                    onClick={() => void go({ groupId: g.id })}
                  >
                    <span className="group-chip__dot group-chip__dot--large" aria-hidden="true" style={{ background: g.color }} />
                    <span className="transfer__name">{g.name}</span>
                    {current ? <span id={`transfer-group-${g.id}`} className="transfer__meta">{t('transfer.currentGroup')}</span> : null}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={close}>{t('common.cancel')}</button>
      </div>
    </Dialog>
  );
}
