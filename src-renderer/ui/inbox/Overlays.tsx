/** The keyboard-shortcut help (`?`) and the appearance preferences. */
import { useTranslation } from 'react-i18next';
import { Fragment } from 'react';
import { useUi } from '../../app/ui-state';
import { changeLanguage, setTheme, usePreferences, type ThemePreference } from '../../app/preferences';
import { LANGUAGES, type Language } from '../../i18n';
import { Dialog } from '../kit/Dialog';
import { Kbd } from '../kit/Kbd';
import { SHORTCUTS } from './shortcuts';

export function ShortcutsDialog() {
  const { t } = useTranslation();
  const open = useUi((s) => s.shortcutsOpen);
  return (
    <Dialog open={open} onClose={() => useUi.setState({ shortcutsOpen: false })} title={t('shortcuts.title')} className="dialog--shortcuts">
      <table className="shortcuts">
        <caption className="visually-hidden">{t('shortcuts.title')}</caption>
        <thead className="visually-hidden">
          <tr>
            <th scope="col">{t('shortcuts.keyColumn')}</th>
            <th scope="col">{t('shortcuts.actionColumn')}</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.label}>
              <td className="shortcuts__keys">
                {s.keys.map((k, i) => (
                  <Fragment key={k}>
                    {i > 0 ? (s.keys[0] === 'Mod' ? ' + ' : ' / ') : null}
                    <Kbd>{k}</Kbd>
                  </Fragment>
                ))}
              </td>
              <td>{t(s.label as never)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">{t('shortcuts.footnote')}</p>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={() => useUi.setState({ shortcutsOpen: false })}>{t('common.done')}</button>
      </div>
    </Dialog>
  );
}

export function PreferencesDialog() {
  const { t } = useTranslation();
  const open = useUi((s) => s.preferencesOpen);
  const theme = usePreferences((s) => s.theme);
  const language = usePreferences((s) => s.language);
  return (
    <Dialog open={open} onClose={() => useUi.setState({ preferencesOpen: false })} title={t('preferences.title')} className="dialog--narrow">
      <fieldset className="choice">
        <legend className="field__label">{t('preferences.theme')}</legend>
        {(['system', 'light', 'dark'] as ThemePreference[]).map((v) => (
          <label key={v} className="radio">
            <input type="radio" name="theme" value={v} checked={theme === v} onChange={() => setTheme(v)} />
            <span>{t(`preferences.themes.${v}`)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="choice">
        <legend className="field__label">{t('preferences.language')}</legend>
        {LANGUAGES.map((v: Language) => (
          <label key={v} className="radio" lang={v}>
            <input type="radio" name="language" value={v} checked={language === v} onChange={() => changeLanguage(v)} />
            <span>{t(`preferences.languages.${v}`)}</span>
          </label>
        ))}
      </fieldset>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={() => useUi.setState({ preferencesOpen: false })}>{t('common.done')}</button>
      </div>
    </Dialog>
  );
}
