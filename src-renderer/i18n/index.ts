/**
 * Every string of the interface goes through i18next (UI.md). English and Russian are complete;
 * `ru` is typed against `en`, so a key missing from Russian fails the type check.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { ru } from './ru';

export type Language = 'en' | 'ru';
export const LANGUAGES: Language[] = ['en', 'ru'];

const LANGUAGE_KEY = 'switchboard.language';

function detectLanguage(): Language {
  try {
    const stored = localStorage.getItem(LANGUAGE_KEY);
    if (stored === 'en' || stored === 'ru') return stored;
  } catch {
    /* private mode */
  }
  const nav = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  return nav.some((l) => l?.toLowerCase().startsWith('ru')) ? 'ru' : 'en';
}

const initial = detectLanguage();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ru: { translation: ru } },
  lng: initial,
  fallbackLng: 'en',
  supportedLngs: LANGUAGES,
  interpolation: { escapeValue: false }, // React escapes; strings are never parsed as HTML
  returnNull: false,
  initAsync: false,
});

if (typeof document !== 'undefined') document.documentElement.lang = initial;

export function setLanguage(language: Language, opts: { persist?: boolean } = {}): void {
  if (opts.persist !== false) {
    try {
      localStorage.setItem(LANGUAGE_KEY, language);
    } catch {
      /* private mode */
    }
  }
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

export default i18n;
