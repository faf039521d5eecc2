/** The inbox window: the sign-in screens while signed out, the inbox once signed in. */
import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { LoaderCircle } from 'lucide-react';
import { InboxScreen } from '../ui/inbox/InboxScreen';
import { Toasts } from '../ui/kit/Toasts';
import { Logo } from '../ui/kit/Logo';
import { navigate, useRoute } from './router';
import { boot, useSession } from './session';

// Signed out is the rarer start: the sign-in screens load only then.
const AcceptInviteScreen = lazy(() => import('../ui/auth/AuthScreens').then((m) => ({ default: m.AcceptInviteScreen })));
const SignInScreen = lazy(() => import('../ui/auth/AuthScreens').then((m) => ({ default: m.SignInScreen })));
const SignUpScreen = lazy(() => import('../ui/auth/AuthScreens').then((m) => ({ default: m.SignUpScreen })));

let booted = false;

/** Restores the stored session (once): called as soon as this module is loaded, before the first render. */
export function bootOnce(): void {
  if (booted) return;
  booted = true;
  void boot();
}

export function App() {
  const { t } = useTranslation();
  const phase = useSession((s) => s.phase);
  const route = useRoute();

  useEffect(() => bootOnce(), []);

  // Signed in: the sign-in screens lead to the inbox. Signed out: the inbox leads to sign-in.
  useEffect(() => {
    if (phase === 'signed-in' && (route.name === 'login' || route.name === 'signup')) navigate('#/', { replace: true });
    if (phase === 'signed-out' && route.name === 'inbox') navigate('#/login', { replace: true });
  }, [phase, route.name]);

  const splash = (
    <main className="splash" aria-busy="true">
      <Logo />
      <p className="splash__text"><LoaderCircle aria-hidden="true" size={16} className="spin" /> {phase === 'signing-in' ? t('app.signingIn') : t('app.starting')}</p>
    </main>
  );
  let screen;
  if (phase === 'loading' || phase === 'signing-in') {
    screen = splash;
  } else if (route.name === 'accept-invite') {
    screen = <Suspense fallback={splash}><AcceptInviteScreen token={route.token} /></Suspense>;
  } else if (phase === 'signed-out') {
    screen = <Suspense fallback={splash}>{route.name === 'signup' ? <SignUpScreen /> : <SignInScreen />}</Suspense>;
  } else {
    screen = <InboxScreen conversationId={route.name === 'inbox' ? route.conversationId : null} />;
  }

  return (
    <>
      {screen}
      <Toasts />
    </>
  );
}
