/**
 * A long conversation opens at its newest messages with only its newest page drawn; scrolling up
 * brings the older pages in without moving what the reader looks at, down to the first message.
 */
import { createCustomApp, expect, sendClientMessage, test } from './support/server';
import { expectOnline, message, messages, messagesList, openConversation, signIn, SYNC_TIMEOUT } from './support/inbox';

const COUNT = 150;

test('a long conversation opens at its newest page, and scrolling up reaches its first message', async ({ page, server, fakeApp }) => {
  const owner = await server.signup({ name: 'Olga Owner' });
  const app = await createCustomApp(server, owner.accessToken, fakeApp);
  for (let i = 0; i < COUNT; i++) {
    await sendClientMessage(app, { clientId: 'client-long', clientName: 'Lena Long', text: `Long message ${i}` });
    // Within the API's rate limit (20 requests a second).
    await new Promise((resolve) => setTimeout(resolve, 55));
  }

  await signIn(page, owner.email, owner.password);
  await expectOnline(page);
  await openConversation(page, 'Unassigned', 'Lena Long');
  await expect(message(page, `Long message ${COUNT - 1}`)).toBeVisible({ timeout: SYNC_TIMEOUT });
  // Only the newest page is drawn; the oldest message waits above it.
  await expect(message(page, 'Long message 0')).toHaveCount(0);
  expect(await messages(page).count()).toBeLessThan(COUNT);
  await expect(page.getByRole('button', { name: 'Show earlier messages' })).toBeAttached();

  // Scrolling to the top brings the older page in above; the item at the top stays in place.
  const scroller = messagesList(page).locator('xpath=..');
  const before = await scroller.evaluate((el) => {
    el.scrollTop = 0;
    const first = el.querySelector<HTMLElement>('[data-item-id]')!;
    return { id: first.dataset.itemId!, top: first.getBoundingClientRect().top };
  });
  await expect.poll(() => scroller.evaluate((el) => el.scrollTop), { timeout: SYNC_TIMEOUT }).toBeGreaterThan(0);
  const after = await scroller.evaluate((el, id) => el.querySelector<HTMLElement>(`[data-item-id="${id}"]`)!.getBoundingClientRect().top, before.id);
  expect(Math.abs(after - before.top)).toBeLessThan(2);

  // Further up, page after page, down to the first message; then nothing is left to load.
  await expect.poll(async () => {
    await scroller.evaluate((el) => {
      el.scrollTop = 0;
    });
    return message(page, 'Long message 0').count();
  }, { timeout: SYNC_TIMEOUT }).toBe(1);
  await expect(messages(page)).toHaveCount(COUNT);
  await expect(page.getByRole('button', { name: 'Show earlier messages' })).toHaveCount(0);
});
