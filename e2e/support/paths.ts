/** Where the end-to-end tests find the project and the built client. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `electron-vite build` writes the renderer here; the sync server serves it at `/`. */
export const WEB_ROOT = path.join(ROOT, 'out', 'renderer');

/** Fails early, with the command to run, when the client was not built. */
export function assertWebClientBuilt(): void {
  if (!fs.existsSync(path.join(WEB_ROOT, 'index.html'))) {
    throw new Error(`The web client is not built (${path.join(WEB_ROOT, 'index.html')} is missing): run \`npx electron-vite build\` first.`);
  }
}
