/**
 * The renderer reaches its host only through this bridge: the Electron preload's
 * `window.switchboard`, or the browser implementation of the same interface.
 */
import { BRIDGE_GLOBAL, type SwitchboardBridge } from '../../src-preload/api';
import { createBrowserBridge } from './browser';

let bridge: SwitchboardBridge | null = null;

export function getBridge(): SwitchboardBridge {
  if (!bridge) {
    const exposed = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL] as SwitchboardBridge | undefined;
    bridge = exposed ?? createBrowserBridge();
  }
  return bridge;
}

/** Which server this window talks to: `?server=` (desktop app), else the page's own origin. */
export function serverUrlFromLocation(loc: Location = location): string | null {
  const param = new URLSearchParams(loc.search).get('server');
  if (param) return param.replace(/\/+$/, '');
  if (loc.protocol === 'http:' || loc.protocol === 'https:') return loc.origin;
  return null;
}

/** `?window=settings` opens the settings window's content. */
export function windowKind(loc: Location = location): 'inbox' | 'settings' {
  return new URLSearchParams(loc.search).get('window') === 'settings' ? 'settings' : 'inbox';
}

export type { SwitchboardBridge };
