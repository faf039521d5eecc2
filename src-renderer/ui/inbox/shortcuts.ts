/** The keyboard map of UI.md, shared by the key handler, the help overlay and the palette. */
export interface ShortcutInfo {
  keys: string[];
  /** i18n key of the description. */
  label: string;
}

export const SHORTCUTS: ShortcutInfo[] = [
  { keys: ['j', 'k'], label: 'shortcuts.nextPrevious' },
  { keys: ['Enter'], label: 'shortcuts.openConversation' },
  { keys: ['Esc'], label: 'shortcuts.back' },
  { keys: ['r'], label: 'shortcuts.reply' },
  { keys: ['n'], label: 'shortcuts.note' },
  { keys: ['Mod', 'Enter'], label: 'shortcuts.send' },
  { keys: ['t'], label: 'shortcuts.take' },
  { keys: ['e'], label: 'shortcuts.close' },
  { keys: ['a'], label: 'shortcuts.transfer' },
  { keys: ['/'], label: 'shortcuts.search' },
  { keys: ['Mod', 'K'], label: 'shortcuts.palette' },
  { keys: ['1'], label: 'shortcuts.tabUnassigned' },
  { keys: ['2'], label: 'shortcuts.tabMine' },
  { keys: ['3'], label: 'shortcuts.tabClosed' },
  { keys: ['?'], label: 'shortcuts.help' },
];
