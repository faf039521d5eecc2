/** Appearance preferences of this device: theme (following the OS by default) and language. */
import { create } from 'zustand';
import i18n, { setLanguage, type Language } from '../i18n';

export type ThemePreference = 'system' | 'light' | 'dark';

const THEME_KEY = 'switchboard.theme';

function readTheme(): ThemePreference {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

interface PreferencesState {
  theme: ThemePreference;
  language: Language;
}

export const usePreferences = create<PreferencesState>(() => ({
  theme: readTheme(),
  language: (i18n.language === 'ru' ? 'ru' : 'en'),
}));

/** Applies the theme to <html>: `data-theme` wins over the OS preference when set. */
export function applyTheme(theme: ThemePreference = usePreferences.getState().theme): void {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

export function setTheme(theme: ThemePreference): void {
  try {
    if (theme === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    /* private mode */
  }
  usePreferences.setState({ theme });
  applyTheme(theme);
}

/** Cycles system → light → dark (the palette's "Switch theme"). */
export function cycleTheme(): void {
  const order: ThemePreference[] = ['system', 'light', 'dark'];
  const next = order[(order.indexOf(usePreferences.getState().theme) + 1) % order.length];
  setTheme(next);
}

export function changeLanguage(language: Language): void {
  setLanguage(language);
  usePreferences.setState({ language });
}

// Another window changed a preference: follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (ev) => {
    if (ev.key === THEME_KEY) {
      const theme = readTheme();
      usePreferences.setState({ theme });
      applyTheme(theme);
    }
    if (ev.key === 'switchboard.language' && (ev.newValue === 'en' || ev.newValue === 'ru')) {
      setLanguage(ev.newValue, { persist: false });
      usePreferences.setState({ language: ev.newValue });
    }
  });
}
