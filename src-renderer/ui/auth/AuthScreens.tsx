/**
 * Sign-up (a new company and its super-admin), sign-in, and completing an invitation (product
 * §6.1). The "Server URL" field exists only in the desktop app; a browser talks to the page's origin.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LoaderCircle } from 'lucide-react';
import { acceptInvitation, signIn, signUp, signOut, useSession } from '../../app/session';
import { authApi } from '../../app/auth-api';
import { normaliseServerUrl } from '../../app/http';
import { formErrors, translateServerMessage } from '../../app/server-messages';
import { ApiError } from '../../app/http';
import { Field } from '../kit/Field';
import { Logo } from '../kit/Logo';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 10;

type Errors = Record<string, string>;

function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth__card">
        <Logo />
        <h1 className="auth__title">{title}</h1>
        {subtitle ? <p className="auth__subtitle">{subtitle}</p> : null}
        {children}
      </div>
      {footer ? <div className="auth__footer">{footer}</div> : null}
    </main>
  );
}

function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return <p role="alert" className="form-alert">{message}</p>;
}

function SubmitButton({ busy, children }: { busy: boolean; children: string }) {
  return (
    <button type="submit" className="button button--primary button--block" disabled={busy} aria-busy={busy || undefined}>
      {busy ? <LoaderCircle aria-hidden="true" className="spin" size={16} /> : null}
      {children}
    </button>
  );
}

/** The server to talk to: the page origin in a browser; the field's value in the desktop app. */
function useServerField() {
  const mode = useSession((s) => s.mode);
  const defaultServerUrl = useSession((s) => s.defaultServerUrl);
  const [value, setValue] = useState(defaultServerUrl);
  useEffect(() => setValue((v) => v || defaultServerUrl), [defaultServerUrl]);
  return { show: mode === 'electron', value, setValue, resolved: mode === 'electron' ? normaliseServerUrl(value) : defaultServerUrl || location.origin };
}

function ServerField({ server, error }: { server: ReturnType<typeof useServerField>; error?: string }) {
  const { t } = useTranslation();
  if (!server.show) return null;
  return (
    <Field
      label={t('auth.serverUrl')}
      type="url"
      name="server"
      autoComplete="url"
      inputMode="url"
      placeholder="https://switchboard.example.com"
      value={server.value}
      onChange={(e) => server.setValue(e.target.value)}
      error={error}
      required
    />
  );
}

function focusFirstInvalid(form: HTMLFormElement | null) {
  requestAnimationFrame(() => form?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus());
}

/**
 * The submit flow every auth form shares: validate (errors keyed by field), then send once with
 * the button busy, then go to the inbox; a refusal is shown on its fields or above the form, and
 * the first invalid field takes the focus.
 */
function useAuthForm(serverFields: readonly string[]) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = (validate: () => Errors, send: () => Promise<void>) => async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const next = validate();
    setErrors(next);
    setFormError(null);
    if (Object.keys(next).length > 0) return focusFirstInvalid(form);
    setBusy(true);
    try {
      await send();
      location.hash = '#/';
    } catch (err) {
      const { fields, form: message } = formErrors(err, t, [...serverFields]);
      setErrors(fields);
      setFormError(message);
      focusFirstInvalid(form);
    } finally {
      setBusy(false);
    }
  };
  return { errors, formError, busy, onSubmit };
}

export function SignUpScreen() {
  const { t } = useTranslation();
  const server = useServerField();
  const [values, setValues] = useState({ companyName: '', name: '', email: '', phone: '', password: '' });
  const { errors, formError, busy, onSubmit } = useAuthForm(['companyName', 'name', 'email', 'phone', 'password']);
  const set = (k: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));

  const submit = onSubmit(() => {
    const next: Errors = {};
    if (server.show && !server.resolved) next.server = t('validation.serverUrl');
    if (!values.companyName.trim()) next.companyName = t('validation.required');
    if (!values.name.trim()) next.name = t('validation.required');
    if (!EMAIL_PATTERN.test(values.email.trim())) next.email = t('validation.email');
    if (values.phone.trim().length < 3) next.phone = t('validation.phone');
    if (values.password.length < MIN_PASSWORD) next.password = t('validation.passwordLength');
    return next;
  }, () => signUp(server.resolved!, { ...values, companyName: values.companyName.trim(), name: values.name.trim(), email: values.email.trim(), phone: values.phone.trim() }));


  return (
    <AuthLayout
      title={t('auth.signUp.title')}
      subtitle={t('auth.signUp.subtitle')}
      footer={<>{t('auth.signUp.haveAccount')} <a href="#/login">{t('auth.signUp.signInInstead')}</a></>}
    >
      <form className="auth__form" noValidate onSubmit={submit} aria-label={t('auth.signUp.title')}>
        <ServerField server={server} error={errors.server} />
        <Field label={t('auth.companyName')} name="organization" autoComplete="organization" value={values.companyName} onChange={set('companyName')} error={errors.companyName} required />
        <Field label={t('auth.yourName')} name="name" autoComplete="name" value={values.name} onChange={set('name')} error={errors.name} required />
        <Field label={t('auth.email')} type="email" name="email" autoComplete="email" value={values.email} onChange={set('email')} error={errors.email} required />
        <Field label={t('auth.phone')} type="tel" name="tel" autoComplete="tel" value={values.phone} onChange={set('phone')} error={errors.phone} required />
        <Field
          label={t('auth.password')}
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={values.password}
          onChange={set('password')}
          error={errors.password}
          hint={t('auth.passwordHint')}
          required
        />
        <FormAlert message={formError} />
        <SubmitButton busy={busy}>{t('auth.signUp.submit')}</SubmitButton>
      </form>
    </AuthLayout>
  );
}

export function SignInScreen() {
  const { t } = useTranslation();
  const server = useServerField();
  const endedReason = useSession((s) => s.endedReason);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { errors, formError, busy, onSubmit } = useAuthForm(['email', 'password']);

  const submit = onSubmit(() => {
    const next: Errors = {};
    if (server.show && !server.resolved) next.server = t('validation.serverUrl');
    if (!email.trim()) next.email = t('validation.required');
    if (!password) next.password = t('validation.required');
    return next;
  }, () => signIn(server.resolved!, email, password));


  return (
    <AuthLayout
      title={t('auth.signIn.title')}
      subtitle={endedReason === 'expired' ? t('auth.signIn.sessionEnded') : t('auth.signIn.subtitle')}
      footer={<>{t('auth.signIn.noAccount')} <a href="#/signup">{t('auth.signIn.createCompany')}</a></>}
    >
      <form className="auth__form" noValidate onSubmit={submit} aria-label={t('auth.signIn.title')}>
        <ServerField server={server} error={errors.server} />
        <Field label={t('auth.email')} type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} required />
        <Field label={t('auth.password')} type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} required />
        <FormAlert message={formError} />
        <SubmitButton busy={busy}>{t('auth.signIn.submit')}</SubmitButton>
      </form>
    </AuthLayout>
  );
}

type InvitationState =
  | { state: 'loading' }
  | { state: 'ready'; email: string; companyName: string }
  | { state: 'invalid'; message: string };

export function AcceptInviteScreen({ token }: { token: string }) {
  const { t } = useTranslation();
  const server = useServerField();
  const phase = useSession((s) => s.phase);
  const [invitation, setInvitation] = useState<InvitationState>({ state: 'loading' });
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { errors, formError, busy, onSubmit } = useAuthForm(['name', 'password']);
  const serverUrl = server.resolved;

  useEffect(() => {
    if (!token) {
      setInvitation({ state: 'invalid', message: t('serverError.invitationInvalid') });
      return;
    }
    if (!serverUrl) return;
    let cancelled = false;
    setInvitation({ state: 'loading' });
    authApi.invitation(serverUrl, token).then(
      (info) => !cancelled && setInvitation({ state: 'ready', ...info }),
      (err) => !cancelled && setInvitation({
        state: 'invalid',
        message: err instanceof ApiError ? translateServerMessage(err.message, t) : t('serverError.network'),
      }),
    );
    return () => {
      cancelled = true;
    };
  }, [serverUrl, token, t]);

  const submit = onSubmit(() => {
    const next: Errors = {};
    if (!name.trim()) next.name = t('validation.required');
    if (password.length < MIN_PASSWORD) next.password = t('validation.passwordLength');
    return next;
  }, () => acceptInvitation(serverUrl!, token, name, password));


  if (phase === 'signed-in') {
    return (
      <AuthLayout title={t('auth.invite.signedInTitle')} subtitle={t('auth.invite.signedInText')}>
        <div className="auth__actions">
          <button type="button" className="button button--primary" onClick={() => void signOut().then(() => { location.hash = `#/accept-invite?token=${encodeURIComponent(token)}`; })}>
            {t('sidebar.signOut')}
          </button>
          <a className="button" href="#/">{t('auth.invite.backToInbox')}</a>
        </div>
      </AuthLayout>
    );
  }

  if (invitation.state === 'loading') {
    return (
      <AuthLayout title={t('auth.invite.loading')}>
        {server.show ? <ServerField server={server} /> : <p className="muted" aria-live="polite"><LoaderCircle aria-hidden="true" className="spin" size={16} /></p>}
      </AuthLayout>
    );
  }

  if (invitation.state === 'invalid') {
    return (
      <AuthLayout title={t('auth.invite.invalidTitle')} footer={<a href="#/login">{t('auth.signIn.title')}</a>}>
        <ServerField server={server} />
        <p role="alert" className="form-alert">{invitation.message}</p>
        <p className="muted">{t('auth.invite.askAgain')}</p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title={t('auth.invite.title', { company: invitation.companyName })}
      subtitle={t('auth.invite.subtitle', { email: invitation.email })}
    >
      <form className="auth__form" noValidate onSubmit={submit} aria-label={t('auth.invite.title', { company: invitation.companyName })}>
        <Field label={t('auth.yourName')} name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required />
        <Field
          label={t('auth.password')}
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          hint={t('auth.passwordHint')}
          required
        />
        <FormAlert message={formError} />
        <SubmitButton busy={busy}>{t('auth.invite.submit')}</SubmitButton>
      </form>
    </AuthLayout>
  );
}
