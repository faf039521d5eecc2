/**
 * The settings window (`?window=settings`), for the super-admin: the operators with their status
 * and groups, inviting an operator (the embedded server sends no email, so the invitation link is
 * shown to pass on), and the company's API token. Every change needs a connection (product §4.8).
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLiveQuery } from 'dexie-react-hooks';
import { Check, Copy, KeyRound, LoaderCircle, RefreshCw, ShieldAlert, UserPlus, WifiOff } from 'lucide-react';
import type { CompanyRecord } from '../../store/schema';
import { databaseName } from '../../store/schema';
import { adminApi, type AdminOperator, type InviteOutcome } from '../../app/auth-api';
import { formErrors } from '../../app/server-messages';
import { bootSettings, settingsToken, useSettingsSession } from '../../app/settings-session';
import { openInboxDb, type InboxDb } from '../../app/store-access';
import { Field } from '../kit/Field';
import { Logo } from '../kit/Logo';
import { Toasts } from '../kit/Toasts';
import { GroupChip } from '../kit/marks';

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** The company record from this device's store (groups' names and colours). */
function useCompanyRecord(serverUrl: string | null, userId: number | null): CompanyRecord | undefined {
  const [db, setDb] = useState<InboxDb | null>(null);
  useEffect(() => {
    if (!serverUrl || userId === null) return;
    let opened: InboxDb | null = null;
    let cancelled = false;
    openInboxDb(databaseName(serverUrl, userId)).then((d) => {
      if (cancelled) d.close();
      else {
        opened = d;
        setDb(d);
      }
    }, () => undefined);
    return () => {
      cancelled = true;
      opened?.close();
    };
  }, [serverUrl, userId]);
  return useLiveQuery(async () => (db ? db.company.get('current') : undefined), [db]);
}

function CopyButton({ value, label }: { value: string; label: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button--small"
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? <Check aria-hidden="true" size={14} /> : <Copy aria-hidden="true" size={14} />}
      {copied ? t('settings.copied') : label}
    </button>
  );
}

export function SettingsWindow() {
  const { t } = useTranslation();
  const { phase, me, serverUrl, userId } = useSettingsSession();

  useEffect(() => {
    void bootSettings();
  }, []);

  useEffect(() => {
    document.title = `${t('settings.title')} — Switchboard`;
  }, [t]);

  let body;
  if (phase === 'loading') {
    body = <p className="muted" aria-busy="true"><LoaderCircle aria-hidden="true" size={16} className="spin" /> {t('common.loading')}</p>;
  } else if (phase === 'signed-out' || !me || !serverUrl) {
    body = (
      <div className="empty">
        <ShieldAlert aria-hidden="true" size={28} className="empty__icon" />
        <p className="empty__title">{t('settings.signedOutTitle')}</p>
        <p className="empty__text">{t('settings.signedOutText')}</p>
      </div>
    );
  } else if (!me.isOwner) {
    body = (
      <div className="empty">
        <ShieldAlert aria-hidden="true" size={28} className="empty__icon" />
        <p className="empty__title" role="alert">{t('settings.ownerOnly')}</p>
      </div>
    );
  } else {
    body = <OwnerSettings serverUrl={serverUrl} userId={userId} />;
  }

  return (
    <div className="settings">
      <header className="settings__header">
        <Logo compact />
        <h1 className="settings__title">{t('settings.title')}</h1>
      </header>
      <main className="settings__main">{body}</main>
      <Toasts />
    </div>
  );
}

function OwnerSettings({ serverUrl, userId }: { serverUrl: string; userId: number | null }) {
  const { t } = useTranslation();
  const online = useOnline();
  const company = useCompanyRecord(serverUrl, userId);
  const [operators, setOperators] = useState<AdminOperator[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setOperators(await adminApi.operators(serverUrl, await settingsToken()));
      setLoadError(null);
    } catch (err) {
      setLoadError(formErrors(err, t, []).form);
    }
  }, [serverUrl, t]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      {!online ? (
        <p className="banner banner--warning" role="status"><WifiOff aria-hidden="true" size={16} /> <span className="banner__text">{t('settings.needsConnection')}</span></p>
      ) : null}
      <section className="settings__section" aria-labelledby="settings-operators">
        <div className="settings__section-head">
          <h2 id="settings-operators">{t('settings.operators')}</h2>
          <button type="button" className="icon-button" aria-label={t('settings.reload')} title={t('settings.reload')} onClick={() => void load()}>
            <RefreshCw aria-hidden="true" size={16} />
          </button>
        </div>
        <OperatorsTable operators={operators} company={company} error={loadError} />
        <InviteForm serverUrl={serverUrl} company={company} online={online} onInvited={load} />
      </section>
      <ApiTokenSection serverUrl={serverUrl} online={online} />
    </>
  );
}

function OperatorsTable({ operators, company, error }: { operators: AdminOperator[] | null; company: CompanyRecord | undefined; error: string | null }) {
  const { t } = useTranslation();
  const groups = new Map((company?.groups ?? []).map((g) => [g.id, g]));
  if (error) return <p role="alert" className="form-alert">{error}</p>;
  if (!operators) return <p className="muted" aria-busy="true"><LoaderCircle aria-hidden="true" size={16} className="spin" /> {t('common.loading')}</p>;
  const sorted = [...operators].sort((a, b) => Number(b.isOwner) - Number(a.isOwner) || a.name.localeCompare(b.name));
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{t('settings.operators')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.columns.name')}</th>
            <th scope="col">{t('settings.columns.email')}</th>
            <th scope="col">{t('settings.columns.status')}</th>
            <th scope="col">{t('settings.columns.groups')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((o) => (
            <tr key={o.id}>
              <td>
                {o.name}
                {o.isOwner ? <span className="badge">{t('settings.superAdmin')}</span> : null}
              </td>
              <td className="table__email">{o.email}</td>
              <td><span className={`op-status op-status--${o.status}`}>{t(`operatorStatus.${o.status}`)}</span></td>
              <td>
                {o.isOwner ? <span className="muted">{t('settings.allGroups')}</span> : (
                  <span className="chips">
                    {o.groupIds.map((id) => {
                      const g = groups.get(id);
                      return <GroupChip key={id} name={g?.name ?? t('settings.groupNumber', { id })} color={g?.color ?? null} />;
                    })}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const SKIP_REASONS = ['invalid', 'duplicate', 'in_use'] as const;

function InviteForm({ serverUrl, company, online, onInvited }: { serverUrl: string; company: CompanyRecord | undefined; online: boolean; onInvited(): void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [groupIds, setGroupIds] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<InviteOutcome | null>(null);
  const groups = [...(company?.groups ?? [])].sort((a, b) => a.priority - b.priority);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setFormError(null);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setError(t('validation.email'));
      return;
    }
    setBusy(true);
    try {
      const result = await adminApi.invite(serverUrl, await settingsToken(), email.trim(), groupIds);
      setOutcome(result);
      if (result.invited.length > 0) {
        setEmail('');
        onInvited();
      }
    } catch (err) {
      const { fields, form } = formErrors(err, t, ['email']);
      setError(fields.email ?? null);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  };

  const invited = outcome?.invited[0];
  const skipped = outcome?.skipped[0];
  return (
    <form className="invite" aria-labelledby="invite-heading" onSubmit={submit} noValidate>
      <h3 id="invite-heading" className="invite__title"><UserPlus aria-hidden="true" size={16} /> {t('settings.invite.title')}</h3>
      <p className="muted small">{t('settings.invite.help')}</p>
      <div className="invite__row">
        <Field label={t('auth.email')} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={error} className="invite__email" />
        {groups.length > 0 ? (
          <fieldset className="invite__groups">
            <legend className="field__label">{t('settings.invite.groups')}</legend>
            {groups.map((g) => (
              <label key={g.id} className="checkbox">
                <input
                  type="checkbox"
                  checked={groupIds.includes(g.id)}
                  onChange={(e) => setGroupIds((ids) => (e.target.checked ? [...ids, g.id] : ids.filter((x) => x !== g.id)))}
                />
                <GroupChip name={g.name} color={g.color} />
              </label>
            ))}
            <p className="field__hint">{t('settings.invite.groupsHint')}</p>
          </fieldset>
        ) : null}
      </div>
      {formError ? <p role="alert" className="form-alert">{formError}</p> : null}
      <div className="invite__actions">
        <button type="submit" className="button button--primary" disabled={busy || !online}>
          {busy ? <LoaderCircle aria-hidden="true" size={16} className="spin" /> : null}
          {t('settings.invite.submit')}
        </button>
        {!online ? <span className="muted small">{t('settings.needsConnectionShort')}</span> : null}
      </div>
      {invited ? (
        <div className="invite__result" role="status">
          <p>{t('settings.invite.created', { email: invited.email })}</p>
          <div className="invite__link">
            <label className="field invite__link-field">
              <span className="field__label">{t('settings.invite.link')}</span>
              <input className="input input--mono" type="text" readOnly value={invited.invitationUrl} onFocus={(e) => e.currentTarget.select()} />
            </label>
            <CopyButton value={invited.invitationUrl} label={t('settings.invite.copy')} />
          </div>
          <p className="muted small">{t('settings.invite.linkHelp')}</p>
        </div>
      ) : null}
      {!invited && skipped ? (
        <p role="alert" className="form-alert">
          {t(`settings.invite.skipped.${(SKIP_REASONS as readonly string[]).includes(skipped.reason) ? skipped.reason as typeof SKIP_REASONS[number] : 'invalid'}`, { email: skipped.email })}
        </p>
      ) : null}
    </form>
  );
}

function ApiTokenSection({ serverUrl, online }: { serverUrl: string; online: boolean }) {
  const { t } = useTranslation();
  const [token, setToken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [regenerated, setRegenerated] = useState(false);

  useEffect(() => {
    let cancelled = false;
    settingsToken()
      .then((access) => adminApi.apiToken(serverUrl, access))
      .then((r) => !cancelled && setToken(r.token), (err) => !cancelled && setError(formErrors(err, t, []).form));
    return () => {
      cancelled = true;
    };
  }, [serverUrl, t]);

  const regenerate = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await adminApi.regenerateApiToken(serverUrl, await settingsToken());
      setToken(r.token);
      setRegenerated(true);
    } catch (err) {
      setError(formErrors(err, t, []).form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings__section" aria-labelledby="settings-api-token">
      <h2 id="settings-api-token"><KeyRound aria-hidden="true" size={18} /> {t('settings.apiToken.title')}</h2>
      <p className="muted small">{t('settings.apiToken.help')}</p>
      <div className="invite__link">
        <label className="field invite__link-field">
          <span className="visually-hidden">{t('settings.apiToken.title')}</span>
          <input className="input input--mono" type="text" readOnly value={token ?? ''} placeholder={token === null ? t('common.loading') : undefined} onFocus={(e) => e.currentTarget.select()} />
        </label>
        {token ? <CopyButton value={token} label={t('settings.apiToken.copy')} /> : null}
        <button type="button" className="button" disabled={busy || !online || token === null} onClick={() => void regenerate()}>
          {busy ? <LoaderCircle aria-hidden="true" size={16} className="spin" /> : <RefreshCw aria-hidden="true" size={16} />}
          {t('settings.apiToken.regenerate')}
        </button>
      </div>
      {regenerated ? <p className="muted small" role="status">{t('settings.apiToken.regenerated')}</p> : null}
      {error ? <p role="alert" className="form-alert">{error}</p> : null}
    </section>
  );
}
