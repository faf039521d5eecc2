/**
 * The composer (product §4.3): Reply or Note, a draft saved on every keystroke (restored after a
 * reload or a crash, never shown in another conversation), Ctrl/Cmd+Enter sends. Reply is enabled
 * only when the conversation is in the user's own My inbox.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLiveQuery } from 'dexie-react-hooks';
import { LoaderCircle, Send } from 'lucide-react';
import type { RejectedDraftRecord } from '../../store/schema';
import type { InboxRow } from '../../../src-core/conversation/projection';
import { sendMessage } from '../../app/actions';
import { useDb } from '../../app/data';
import { noteTyping, stopTyping } from '../../app/presence';
import { useUi } from '../../app/ui-state';
import { Kbd } from '../kit/Kbd';
import { toast } from '../../app/toasts';

export type ComposerMode = 'reply' | 'note';

export interface ComposerProps {
  conversationId: number;
  row: InboxRow;
  viewerId: number;
  /** The viewer may write into this conversation at all (notes). */
  canWrite: boolean;
  typingNames: string[];
}

type ReplyBlock = null | 'start' | 'reopen' | 'notYours' | 'readOnly';

function replyBlock(row: InboxRow, viewerId: number, canWrite: boolean): ReplyBlock {
  if (row.status === 'inbox' && row.assigneeId === viewerId) return null;
  if (row.status === 'unassigned') return 'start';
  if (row.status === 'closed') return 'reopen';
  return canWrite ? 'notYours' : 'readOnly';
}

export function Composer({ conversationId, row, viewerId, canWrite, typingNames }: ComposerProps) {
  const { t } = useTranslation();
  const db = useDb();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [text, setText] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [sending, setSending] = useState(false);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const radioName = useId();
  const hintId = useId();

  // Restore this conversation's draft (and only this one's).
  useEffect(() => {
    let cancelled = false;
    setLoaded(false);
    setText('');
    setMode('reply');
    if (!db) return;
    db.drafts.get(conversationId).then((draft) => {
      if (cancelled) return;
      if (draft) {
        setText(draft.text);
        setMode(draft.mode);
      }
      setLoaded(true);
    }, () => !cancelled && setLoaded(true));
    return () => {
      cancelled = true;
    };
  }, [db, conversationId]);

  const saveDraft = (nextText: string, nextMode: ComposerMode) => {
    if (!db) return;
    const write = async () => {
      if (nextText.length > 0) await db.drafts.put({ conversationId, mode: nextMode, text: nextText, updatedAt: Date.now() });
      else await db.drafts.delete(conversationId);
    };
    write().catch((err: unknown) => console.warn('[draft]', err));
  };

  // r / n from anywhere: this mode, focused (once the textarea is enabled for it).
  const request = useUi((s) => s.composerRequest);
  const handledRequest = useRef(request?.seq ?? 0);
  const focusPending = useRef<ComposerMode | null>(null);
  useEffect(() => {
    if (!request || request.seq === handledRequest.current) return;
    handledRequest.current = request.seq;
    setMode(request.mode);
    if (text) saveDraft(text, request.mode);
    focusPending.current = request.mode;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request]);

  useEffect(() => () => stopTyping(), [conversationId]);

  const block = replyBlock(row, viewerId, canWrite);
  const disabled = !canWrite || (mode === 'reply' && block !== null) || !loaded;
  const canSend = !disabled && text.trim().length > 0 && !sending;

  const send = async () => {
    if (!canSend) return;
    setSending(true);
    stopTyping();
    const body = text.trim();
    const ok = await sendMessage(conversationId, mode === 'reply' ? 'out' : 'note', body);
    setSending(false);
    if (ok) {
      setText('');
      saveDraft('', mode);
      textareaRef.current?.focus();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  useEffect(() => {
    if (focusPending.current !== mode || !loaded) return;
    focusPending.current = null;
    if (textareaRef.current && !textareaRef.current.disabled) textareaRef.current.focus();
    else document.querySelector<HTMLInputElement>(`input[name="${CSS.escape(radioName)}"]:checked`)?.focus();
  });

  const blockText = !canWrite ? t('composer.block.readOnly') : block === null ? null : t(`composer.block.${block}`);
  const placeholder = mode === 'note'
    ? t('composer.notePlaceholder')
    : blockText ?? t('composer.replyPlaceholder');

  return (
    <div className={`composer composer--${mode}`}>
      {typingNames.length > 0 ? (
        <p className="composer__typing" aria-live="polite">{t('composer.typing', { names: typingNames.join(', '), count: typingNames.length })}</p>
      ) : null}
      <RejectedDrafts conversationId={conversationId} />
      <div className="composer__box">
        <div className="composer__top">
          <div role="radiogroup" aria-label={t('composer.mode')} className="segmented">
            {(['reply', 'note'] as const).map((m) => (
              <label key={m} className={`segmented__option${mode === m ? ' segmented__option--checked' : ''}`}>
                <input
                  type="radio"
                  name={radioName}
                  value={m}
                  checked={mode === m}
                  aria-keyshortcuts={m === 'reply' ? 'R' : 'N'}
                  onChange={() => {
                    setMode(m);
                    if (text) saveDraft(text, m);
                  }}
                />
                <span>{t(`composer.${m}`)}</span>
              </label>
            ))}
          </div>
          {blockText && (mode === 'reply' || !canWrite) ? <span id={hintId} className="composer__block">{blockText}</span> : null}
          {mode === 'note' && canWrite ? <span className="composer__note-hint">{t('composer.noteHint')}</span> : null}
        </div>
        <textarea
          ref={textareaRef}
          className="composer__input"
          aria-label={t('composer.message')}
          aria-describedby={blockText && (mode === 'reply' || !canWrite) ? hintId : undefined}
          placeholder={placeholder}
          value={text}
          disabled={disabled}
          rows={3}
          spellCheck
          onChange={(e) => {
            setText(e.target.value);
            saveDraft(e.target.value, mode);
            if (e.target.value) noteTyping(conversationId);
            else stopTyping();
          }}
          onKeyDown={onKeyDown}
          onBlur={() => stopTyping()}
        />
        <div className="composer__bottom">
          <span className="composer__shortcut"><Kbd>Mod</Kbd> <Kbd>Enter</Kbd> {t('composer.toSend')}</span>
          <button
            type="button"
            className={`button ${mode === 'note' ? 'button--note' : 'button--primary'}`}
            disabled={!canSend}
            aria-keyshortcuts="Control+Enter Meta+Enter"
            onClick={() => void send()}
          >
            {sending ? <LoaderCircle aria-hidden="true" size={16} className="spin" /> : <Send aria-hidden="true" size={16} />}
            {t('composer.send')}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Replies and notes the server refused (kept as drafts): send them again or let them go. */
function RejectedDrafts({ conversationId }: { conversationId: number }) {
  const { t } = useTranslation();
  const db = useDb();
  const drafts = useLiveQuery(async () => (db ? db.rejectedDrafts.where('conversationId').equals(conversationId).sortBy('at') : []), [db, conversationId]);
  if (!drafts || drafts.length === 0) return null;
  const resend = async (d: RejectedDraftRecord) => {
    const ok = await sendMessage(conversationId, d.kind, d.text);
    if (ok) await db?.rejectedDrafts.delete(d.id).catch(() => undefined);
  };
  const discard = async (d: RejectedDraftRecord) => {
    await db?.rejectedDrafts.delete(d.id).catch(() => toast(t('toast.discardFailed'), 'error'));
  };
  return (
    <section className="rejected" aria-label={t('rejected.label')}>
      {drafts.map((d) => (
        <div key={d.id} className="rejected__item">
          <p className="rejected__title">{d.kind === 'note' ? t('rejected.noteTitle') : t('rejected.replyTitle')}</p>
          <p className="rejected__text">{d.text}</p>
          <div className="rejected__actions">
            <button type="button" className="button button--small button--primary" onClick={() => void resend(d)}>{t('rejected.resend')}</button>
            <button type="button" className="button button--small" onClick={() => void discard(d)}>{t('rejected.discard')}</button>
          </div>
        </div>
      ))}
    </section>
  );
}
