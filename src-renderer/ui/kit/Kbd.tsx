/** A key as printed on the keyboard; Ctrl shows as ⌘ on macOS. */
export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function modKey(): string {
  return isMac ? '⌘' : 'Ctrl';
}

export function Kbd({ children }: { children: string }) {
  return <kbd className="kbd">{children === 'Mod' ? modKey() : children}</kbd>;
}
