/**
 * The client panel (product §4.4 A11–A13): the client's name (renamable), channel and account,
 * the conversation's tags, the current query's topics, and the previous queries.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { X } from 'lucide-react';
import type { InboxRow } from '../../../src-core/conversation/projection';
import type { ConversationView } from '../../sync/protocol';
import type { Directory } from '../../app/data';
import { rename, setTag, setTopic } from '../../app/actions';
import { formatDateTime } from '../../app/format';
import { ChannelMark } from '../kit/marks';

const MAX_TAG = 50;
const MAX_NAME = 100;

export interface ClientPanelProps {
  row: InboxRow;
  view: ConversationView | null;
  directory: Directory;
  canWrite: boolean;
}

export function ClientPanel({ row, view, directory, canWrite }: ClientPanelProps) {
  const { t } = useTranslation();
  return (
    <aside aria-label={t('client.label')} className="client-panel">
      <h2 className="client-panel__heading">{t('client.heading')}</h2>
      <NameField row={row} view={view} canWrite={canWrite} />
      <ChannelInfo row={row} directory={directory} />
      <Tags row={row} view={view} canWrite={canWrite} />
      <Topics row={row} view={view} directory={directory} canWrite={canWrite} />
      <Queries view={view} directory={directory} />
    </aside>
  );
}

function NameField({ row, view, canWrite }: { row: InboxRow; view: ConversationView | null; canWrite: boolean }) {
  const { t } = useTranslation();
  const channelName = view?.meta.clientName ?? (row.customName ? null : row.clientName);
  const current = row.customName ?? row.clientName;
  const [value, setValue] = useState(current);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!editing) setValue(current);
  }, [current, editing]);

  const commit = () => {
    setEditing(false);
    const next = value.trim().slice(0, MAX_NAME);
    const same = row.customName === null ? next === row.clientName || next === '' : next === row.customName;
    if (same) {
      setValue(current);
      return;
    }
    // Empty restores the channel's name (product §4.4 A12).
    void rename(row.id, next);
  };

  return (
    <div className="client-panel__section">
      <label className="field">
        <span className="field__label">{t('client.name')}</span>
        <input
          className="input"
          type="text"
          value={value}
          maxLength={MAX_NAME}
          disabled={!canWrite}
          onFocus={() => setEditing(true)}
          onChange={(e) => setValue(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              (e.target as HTMLInputElement).blur();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setValue(current);
              setEditing(false);
              requestAnimationFrame(() => (e.target as HTMLInputElement).blur());
            }
          }}
        />
      </label>
      {row.customName && channelName ? <p className="field__hint">{t('client.channelName', { name: channelName })}</p> : null}
    </div>
  );
}

function ChannelInfo({ row, directory }: { row: InboxRow; directory: Directory }) {
  const { t } = useTranslation();
  const account = directory.accounts.get(row.accountChannelId);
  return (
    <dl className="client-panel__facts">
      <dt>{t('client.channel')}</dt>
      <dd className="client-panel__channel">
        <ChannelMark application={row.application} accountName={account?.name} />
        <span>{t(`channel.${row.application}`)}</span>
      </dd>
      <dt>{t('client.account')}</dt>
      <dd>{account?.name ?? t('client.unknownAccount')}</dd>
      {account && account.tags.length > 0 ? (
        <>
          <dt>{t('client.accountTags')}</dt>
          <dd>{account.tags.join(', ')}</dd>
        </>
      ) : null}
    </dl>
  );
}

function Tags({ row, view, canWrite }: { row: InboxRow; view: ConversationView | null; canWrite: boolean }) {
  const { t } = useTranslation();
  const tags = view?.tags ?? row.tags;
  const [value, setValue] = useState('');
  const add = (e: FormEvent) => {
    e.preventDefault();
    const tag = value.trim().slice(0, MAX_TAG);
    if (!tag) return;
    setValue('');
    if (!tags.includes(tag)) void setTag(row.id, tag, true);
  };
  return (
    <section className="client-panel__section" aria-labelledby="client-tags-heading">
      <h3 id="client-tags-heading" className="client-panel__subheading">{t('client.tags')}</h3>
      {tags.length > 0 ? (
        <ul className="tags">
          {tags.map((tag) => (
            <li key={tag}>
              <button type="button" className="tag" aria-label={t('client.removeTag', { tag })} disabled={!canWrite} onClick={() => void setTag(row.id, tag, false)}>
                <span>{tag}</span>
                <X aria-hidden="true" size={12} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={add} className="tags__form">
        <input
          className="input input--small"
          type="text"
          aria-label={t('client.addTag')}
          placeholder={t('client.addTagPlaceholder')}
          maxLength={MAX_TAG}
          value={value}
          disabled={!canWrite}
          onChange={(e) => setValue(e.target.value)}
        />
      </form>
    </section>
  );
}

function Topics({ row, view, directory, canWrite }: { row: InboxRow; view: ConversationView | null; directory: Directory; canWrite: boolean }) {
  const { t } = useTranslation();
  const selected = useMemo(() => new Set(view?.topicIds ?? row.topicIds), [view?.topicIds, row.topicIds]);
  // A tick shows at once; the view confirms it a moment later, when the worker has stored the edit.
  const [ticked, setTicked] = useState<ReadonlyMap<number, boolean>>(new Map());
  useEffect(() => {
    setTicked((current) => {
      const left = new Map([...current].filter(([id, on]) => selected.has(id) !== on));
      return left.size === current.size ? current : left;
    });
  }, [selected]);
  const toggle = (topicId: number, on: boolean) => {
    setTicked((current) => new Map(current).set(topicId, on));
    void setTopic(row.id, topicId, on).then((stored) => {
      // Refused: show the stored state again.
      if (!stored) setTicked((current) => new Map([...current].filter(([id]) => id !== topicId)));
    });
  };
  const topics = (directory.company?.topics ?? []).filter((topic) => !topic.archived || selected.has(topic.id));
  const open = row.status !== 'closed';
  return (
    <section className="client-panel__section" aria-labelledby="client-topics-heading">
      <h3 id="client-topics-heading" className="client-panel__subheading">{t('client.topics')}</h3>
      {topics.length === 0 ? (
        <p className="muted small">{t('client.noTopics')}</p>
      ) : (
        <ul className="topics">
          {topics.map((topic) => (
            <li key={topic.id}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={ticked.get(topic.id) ?? selected.has(topic.id)}
                  disabled={!canWrite || !open}
                  onChange={(e) => toggle(topic.id, e.target.checked)}
                />
                <span className="group-chip__dot" aria-hidden="true" style={{ background: topic.color }} />
                <span>{topic.title}</span>
                {topic.archived ? <span className="muted small">({t('client.topicArchived')})</span> : null}
              </label>
            </li>
          ))}
        </ul>
      )}
      {!open && topics.length > 0 ? <p className="muted small">{t('client.topicsClosed')}</p> : null}
    </section>
  );
}

function Queries({ view, directory }: { view: ConversationView | null; directory: Directory }) {
  const { t, i18n } = useTranslation();
  const queries = [...(view?.queries ?? [])].sort((a, b) => b.startedAt - a.startedAt);
  return (
    <section className="client-panel__section" aria-labelledby="client-queries-heading">
      <h3 id="client-queries-heading" className="client-panel__subheading">{t('client.queries')}</h3>
      {queries.length === 0 ? <p className="muted small">{view ? t('client.noQueries') : t('common.loading')}</p> : (
        <ol className="queries">
          {queries.map((q) => {
            const closer = q.closerId === null ? null : directory.operators.get(q.closerId)?.name ?? t('common.unknownOperator');
            return (
              <li key={q.id} className="queries__item">
                <span className="queries__when">{formatDateTime(q.startedAt, i18n.language, directory.timeZone)}</span>
                <span className="queries__what">
                  {t(`client.origin.${q.origin}`)}
                  {' · '}
                  {q.closedAt !== null ? t('client.closedBy', { name: closer ?? t('timeline.system') }) : t('client.open')}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
