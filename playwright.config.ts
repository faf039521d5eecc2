/**
 * End-to-end tests (docs/TOOLCHAIN.md "Browser tests"): Debian's Chromium, never a downloaded
 * browser; each test starts its own sync server (e2e/support/server.ts), so no webServer here.
 * Run after `npx electron-vite build`:
 *
 *   CHROMIUM_PATH=/usr/bin/chromium npx playwright test
 *
 * `npm test` does both. Electron specs (`*.electron.spec.ts`) skip where no Electron binary exists.
 */
import { defineConfig } from '@playwright/test';
import path from 'node:path';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const ELECTRON_SPECS = /.*\.electron\.spec\.ts$/;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Artifacts (screenshots, traces) of failed tests. A subfolder: Playwright empties it on every
  // run, and test-results/ also holds the vitest and Playwright JSON reports.
  outputDir: 'test-results/e2e',
  // CI machines have 2 cores; each test runs a sync server and a browser.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? path.join('test-results', 'playwright.json') }],
  ],
  use: {
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    video: 'off',
    serviceWorkers: 'allow',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: ELECTRON_SPECS,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: CHROMIUM_ARGS,
        },
      },
    },
    {
      // Desktop specs launch the app themselves (e2e/support/electron.ts) and skip without a binary.
      name: 'electron',
      testMatch: ELECTRON_SPECS,
    },
  ],
});
