/**
 * New-request notifications in browser mode (product §9): the renderer's side of what the desktop
 * app shows as an OS notification (e2e/desktop.electron.spec.ts). The browser's Notification is
 * replaced by a recorder before the app loads; permission is granted to the context.
 */
import { createCustomApp, expect, sendClientMessage, test } from './support/server';
import { companyWithOperator, conversationOption, expectOnline, OPERATOR_PASSWORD, signIn, SYNC_TIMEOUT, tab } from './support/inbox';

interface Shown {
  title: string;
  body: string | undefined;
}

test('an operator gets a notification for a new request, and a click opens it', async ({ page, context, server, fakeApp }) => {
  const { owner, operator } = await companyWithOperator(server);
  const app = await createCustomApp(server, owner.accessToken, fakeApp);
  await context.grantPermissions(['notifications']);
  await page.addInitScript(() => {
    const shown: Array<{ title: string; body: string | undefined; click(): void }> = [];
    (window as unknown as { __notifications: typeof shown }).__notifications = shown;
    class RecordingNotification {
      static permission: NotificationPermission = 'granted';
      static requestPermission = async () => 'granted' as NotificationPermission;
      onclick: (() => void) | null = null;
      constructor(readonly title: string, readonly options: NotificationOptions = {}) {
        shown.push({ title, body: options.body, click: () => this.onclick?.() });
      }
      close() {}
    }
    (window as unknown as { Notification: unknown }).Notification = RecordingNotification;
  });
  const notifications = () => page.evaluate(() =>
    (window as unknown as { __notifications: Shown[] }).__notifications.map(({ title, body }) => ({ title, body })));

  await signIn(page, operator.email, OPERATOR_PASSWORD);
  await expectOnline(page);
  await tab(page, 'Closed').click();
  expect(await notifications()).toEqual([]);

  await sendClientMessage(app, { clientId: 'client-fay', clientName: 'Fay Client', text: 'Is the shop open on Sunday?' });
  await expect.poll(notifications, { timeout: SYNC_TIMEOUT }).toEqual([{ title: 'New request from Fay Client', body: 'Is the shop open on Sunday?' }]);

  // A click on it opens the conversation.
  await page.evaluate(() => (window as unknown as { __notifications: Array<{ click(): void }> }).__notifications[0].click());
  await expect(page.getByRole('region', { name: 'Conversation' }).getByRole('heading', { name: 'Fay Client' })).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(tab(page, 'Unassigned')).toHaveAttribute('aria-selected', 'true');
  await expect(conversationOption(page, 'Fay Client')).toHaveAttribute('aria-selected', 'true');
});
