/**
 * Every string of the interface goes through i18next (UI.md). English and Russian are complete;
 * `ru` is typed against `en`, so a key missing from Russian fails the type check.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';

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

/** Languages other than English are loaded when they are first used (their own chunks). */
const loaders: Record<Exclude<Language, 'en'>, () => Promise<object>> = {
  ru: () => import('./ru').then((m) => m.ru),
};
const loading = new Map<Language, Promise<void>>();

function loadLanguage(language: Language): Promise<void> {
  if (language === 'en' || i18n.hasResourceBundle(language, 'translation')) return Promise.resolve();
  let p = loading.get(language);
  if (!p) {
    p = loaders[language]().then((resources) => {
      i18n.addResourceBundle(language, 'translation', resources, true, true);
    });
    p.catch(() => loading.delete(language));
    loading.set(language, p);
  }
  return p;
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  lng: initial,
  fallbackLng: 'en',
  supportedLngs: LANGUAGES,
  interpolation: { escapeValue: false }, // React escapes; strings are never parsed as HTML
  returnNull: false,
  initAsync: false,
});

if (typeof document !== 'undefined') document.documentElement.lang = initial;

/** Resolves once the starting language's strings are loaded (English is always there). */
export const languageReady: Promise<void> = loadLanguage(initial).then(
  () => {
    if (initial !== 'en') void i18n.changeLanguage(initial);
  },
  () => undefined,
);

export function setLanguage(language: Language, opts: { persist?: boolean } = {}): void {
  if (opts.persist !== false) {
    try {
      localStorage.setItem(LANGUAGE_KEY, language);
    } catch {
      /* private mode */
    }
  }
  void loadLanguage(language).then(() => i18n.changeLanguage(language), () => undefined);
  document.documentElement.lang = language;
}

export default i18n;
