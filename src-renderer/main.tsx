/**
 * The renderer's entry: the inbox window, or the settings window for `?window=settings`. Each
 * window loads only its own code (the settings window never starts a session of its own).
 */
import { StrictMode, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/theme.css';
import './styles/base.css';
import './styles/auth.css';
import './styles/inbox.css';
import './styles/settings.css';
import { languageReady } from './i18n';
import { getBridge, windowKind } from './bridge';
import { databaseName } from './store/schema';
import { applyTheme } from './app/preferences';
import { registerServiceWorker } from './offline';

applyTheme();

/**
 * Opens the stored session's database while the inbox code is still loading: the browser opens
 * its files meanwhile, and the store's own open a moment later is quick. Nothing is created: a
 * database that does not exist yet is left to the store to make.
 */
async function warmStore(): Promise<void> {
  const session = await getBridge().secrets.loadSession().catch(() => null);
  if (!session || typeof indexedDB === 'undefined') return;
  let name: string;
  try {
    name = databaseName(session.serverUrl, session.userId);
  } catch {
    return;
  }
  const request = indexedDB.open(name);
  request.onupgradeneeded = () => request.transaction?.abort();
  request.onerror = () => undefined;
  request.onsuccess = () => request.result.close();
}

async function start(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing from index.html');
  let Window: ComponentType;
  if (windowKind() === 'settings') {
    [Window] = await Promise.all([import('./ui/settings/SettingsWindow').then((m) => m.SettingsWindow), languageReady]);
  } else {
    const [inbox] = await Promise.all([import('./app/App'), languageReady]);
    // The session (and with it the local database) starts before the first render, not after it.
    inbox.bootOnce();
    Window = inbox.App;
  }
  createRoot(root).render(
    <StrictMode>
      <Window />
    </StrictMode>,
  );
}

if (windowKind() !== 'settings') void warmStore();
void start();
// The offline shell of browser mode: a reload without a network still opens the app.
void registerServiceWorker();
