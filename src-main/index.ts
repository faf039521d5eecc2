/**
 * The Electron main process entry (built to out/main/index.js). All behaviour lives in the
 * modules next to this file; see lifecycle.ts for the start-up order.
 */
import { app } from 'electron';
import { runDesktopApp } from './lifecycle';

try {
  runDesktopApp({ env: process.env, mainDir: import.meta.dirname });
} catch (error) {
  // A malformed SWITCHBOARD_SERVER_URL or ELECTRON_RENDERER_URL: say so and stop.
  console.error(error instanceof Error ? error.message : String(error));
  app.exit(1);
}
