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
import './i18n';
import { windowKind } from './bridge';
import { applyTheme } from './app/preferences';
import { registerServiceWorker } from './offline';

applyTheme();

async function start(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing from index.html');
  const Window: ComponentType = windowKind() === 'settings'
    ? (await import('./ui/settings/SettingsWindow')).SettingsWindow
    : (await import('./app/App')).App;
  createRoot(root).render(
    <StrictMode>
      <Window />
    </StrictMode>,
  );
}

void start();
// The offline shell of browser mode: a reload without a network still opens the app.
void registerServiceWorker();
