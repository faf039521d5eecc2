/**
 * The desktop app end to end (Playwright's `_electron`): the inbox window opens on the sync server
 * from SWITCHBOARD_SERVER_URL, the super-admin opens the settings window, and a new request shows
 * an OS notification (the main process's Notification is replaced by a recorder, so no desktop
 * notification daemon is needed).
 *
 * No Electron binary can be fetched on the build machines (docs/TOOLCHAIN.md): these tests skip
 * there with the reason; set ELECTRON_OVERRIDE_DIST_PATH to a folder with a binary to run them.
 */
import type { ElectronApplication, Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronAvailable, launchDesktopApp } from './support/electron';
import { createCustomApp, expect, sendClientMessage, test, type E2EServer } from './support/server';
import { expectInbox, expectOnline, OPERATOR_PASSWORD, SYNC_TIMEOUT, tab } from './support/inbox';

const electron = electronAvailable();
test.skip(!electron.ok, `Electron end-to-end tests need an Electron binary: ${electron.reason}`);

/** A desktop app on this test's server, with its own profile, closed after the test. */
const desktop = test.extend<{ launch: () => Promise<ElectronApplication> }>({
  launch: async ({ server }, use) => {
    const apps: ElectronApplication[] = [];
    const dirs: string[] = [];
    await use(async () => {
      const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-electron-'));
      dirs.push(userDataDir);
      const app = await launchDesktopApp({ serverUrl: server.url, userDataDir });
      apps.push(app);
      return app;
    });
    for (const app of apps) await app.close().catch(() => undefined);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  },
});

async function signInOnDesktop(win: Page, server: E2EServer, email: string, password: string): Promise<void> {
  const signInHeading = win.getByRole('heading', { name: 'Sign in' });
  const signUpHeading = win.getByRole('heading', { name: 'Create your company' });
  await expect(signInHeading.or(signUpHeading)).toBeVisible({ timeout: SYNC_TIMEOUT });
  if (await signUpHeading.isVisible()) await win.getByRole('link', { name: 'Sign in instead' }).click();
  // The desktop app asks for the server; it comes filled in from SWITCHBOARD_SERVER_URL.
  await expect(win.getByRole('textbox', { name: 'Server URL' })).toHaveValue(server.url);
  await win.getByRole('textbox', { name: 'Email' }).fill(email);
  await win.getByRole('textbox', { name: 'Password' }).fill(password);
  await win.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectInbox(win);
  await expectOnline(win);
}

desktop('the inbox window opens on the configured server', async ({ launch, server }) => {
  const owner = await server.signup({ name: 'Olga Owner', companyName: 'Acme Support' });
  const app = await launch();
  const win = await app.firstWindow();
  await win.waitForLoadState('domcontentloaded');
  expect(await win.title()).toMatch(/Switchboard/);
  expect(new URL(win.url()).searchParams.get('server')).toBe(server.url);
  // The page runs with the preload's bridge: the desktop mode, not the browser fallback.
  await signInOnDesktop(win, server, owner.email, owner.password);
  await expect(win.getByRole('navigation', { name: 'Inbox' })).toContainText('Acme Support');
  await expect(tab(win, 'Unassigned')).toBeVisible();
  const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => ({ title: w.getTitle(), visible: w.isVisible() })));
  expect(windows).toHaveLength(1);
  expect(windows[0].visible).toBe(true);
});

desktop('the super-admin opens the settings window', async ({ launch, server }) => {
  const owner = await server.signup({ name: 'Olga Owner', companyName: 'Acme Support' });
  const app = await launch();
  const win = await app.firstWindow();
  await signInOnDesktop(win, server, owner.email, owner.password);

  const opened = app.waitForEvent('window');
  await win.getByRole('button', { name: 'Settings', exact: true }).click();
  const settings = await opened;
  await settings.waitForLoadState('domcontentloaded');
  expect(new URL(settings.url()).searchParams.get('window')).toBe('settings');
  await expect(settings.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible({ timeout: SYNC_TIMEOUT });
  const operators = settings.getByRole('table', { name: 'Operators' });
  await expect(operators).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(operators.getByRole('row').filter({ hasText: owner.email })).toContainText('Active');
  await expect(settings.getByRole('textbox', { name: 'API token' })).not.toHaveValue('', { timeout: SYNC_TIMEOUT });

  // Opening it again focuses the same window rather than making a second one.
  await win.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(2);
});

desktop('a new request shows an OS notification', async ({ launch, server, fakeApp }) => {
  const owner = await server.signup({ name: 'Olga Owner', companyName: 'Acme Support' });
  const operator = await server.addOperator(owner.accessToken, { name: 'Oscar Operator' });
  const customApp = await createCustomApp(server, owner.accessToken, fakeApp);
  const app = await launch();

  // Record what the main process shows instead of asking the desktop for it.
  await app.evaluate(({ Notification }) => {
    const shown: Array<{ title: string; body: string }> = [];
    (globalThis as unknown as { __e2eNotifications: typeof shown }).__e2eNotifications = shown;
    Object.defineProperty(Notification, 'isSupported', { value: () => true, configurable: true });
    Notification.prototype.show = function show(this: Electron.Notification) {
      shown.push({ title: this.title, body: this.body });
    };
  });
  const shown = () => app.evaluate(() => (globalThis as unknown as { __e2eNotifications: Array<{ title: string; body: string }> }).__e2eNotifications);

  // An operator (the super-admin gets no new-request notifications by default).
  const win = await app.firstWindow();
  await signInOnDesktop(win, server, operator.email, OPERATOR_PASSWORD);
  expect(await shown()).toEqual([]);

  await sendClientMessage(customApp, { clientId: 'client-gus', clientName: 'Gus Client', text: 'Do you ship abroad?' });
  await expect.poll(shown, { timeout: SYNC_TIMEOUT }).toEqual([{ title: 'New request from Gus Client', body: 'Do you ship abroad?' }]);
});
