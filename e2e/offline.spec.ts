/**
 * Offline is a calm state (product §2.5, UI.md): an operator without a network replies twice,
 * writes a note and closes the query; a reload while still offline brings all of it back from the
 * device; back online, the client gets each reply exactly once and in order, and the super-admin
 * sees the query closed.
 */
import type { Page } from '@playwright/test';
import { createCustomApp, expect, sendClientMessage, test } from './support/server';
import {
  action, CLOSED_ACTIONS, companyWithOperator, expectActions, compose, connection, conversation, conversationOption, expectOnline, message, messages,
  openConversation, OPERATOR_PASSWORD, signIn, SYNC_TIMEOUT, tab,
} from './support/inbox';

/** The offline shell must control the page before a reload without a network can work. */
async function offlineShellReady(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? 'none'), {
      message: 'the offline shell /sw.js is active',
      timeout: SYNC_TIMEOUT,
    })
    .toBe('activated');
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: SYNC_TIMEOUT }).toBe(true);
}

test('replies, a note and a close made offline survive a reload and reach everyone once, in order', async ({ page, context, browser, server, fakeApp }) => {
  // Reconnecting after offline work waits for the session's retry timer and the socket's backoff.
  test.setTimeout(180_000);
  const { owner, operator, operatorName } = await companyWithOperator(server);
  const app = await createCustomApp(server, owner.accessToken, fakeApp);
  await sendClientMessage(app, { clientId: 'client-cleo', clientName: 'Cleo Client', text: 'My parcel arrived damaged.' });

  // The operator takes the conversation while online.
  await signIn(page, operator.email, OPERATOR_PASSWORD);
  await expectOnline(page);
  await offlineShellReady(page);
  await openConversation(page, 'Unassigned', 'Cleo Client');
  await action(page, 'Start conversation').click();
  await expect(action(page, 'Close')).toBeEnabled();
  // The take reached the server before the network goes.
  await expectOnline(page);

  // The super-admin watches from another browser.
  const ownerContext = await browser.newContext({ baseURL: server.url });
  try {
    const admin = await ownerContext.newPage();
    await signIn(admin, owner.email, owner.password);
    await expectOnline(admin);
    await tab(admin, 'All').click();
    await expect(conversationOption(admin, 'Cleo Client')).toContainText('In progress', { timeout: SYNC_TIMEOUT });

    // ---- offline ----
    await context.setOffline(true);
    await expect(connection(page)).toContainText('Offline');

    const first = 'Sorry to hear that! Could you send a photo?';
    const second = 'We will send a replacement today.';
    const note = 'Offered a replacement; check stock in warehouse B.';
    await compose(page, 'Reply', first);
    await compose(page, 'Reply', second);
    await compose(page, 'Note', note);
    await action(page, 'Close').click();
    await expect(action(page, 'Reopen')).toBeVisible();

    const checkOfflineState = async () => {
      await expect(message(page, first).getByRole('img', { name: 'Pending' })).toBeVisible({ timeout: SYNC_TIMEOUT });
      await expect(message(page, second).getByRole('img', { name: 'Pending' })).toBeVisible();
      await expect(message(page, note)).toContainText('Note');
      await expectActions(page, CLOSED_ACTIONS);
      await expect(connection(page)).toContainText('Offline');
      await expect(connection(page)).toContainText(/\d+ changes? waiting/);
    };
    await checkOfflineState();
    expect(fakeApp.calls).toHaveLength(0);

    // Reload while still offline, at once: the offline shell serves the app; the device's copy has everything.
    await page.reload();
    await expect(tab(page, 'Closed')).toBeVisible({ timeout: SYNC_TIMEOUT });
    await expect(conversation(page).getByRole('heading', { name: 'Cleo Client' })).toBeVisible({ timeout: SYNC_TIMEOUT });
    await checkOfflineState();
    // In order in the timeline: the client's message, the two replies, the note.
    const texts = await messages(page).allInnerTexts();
    const order = [texts.findIndex((t) => t.includes('My parcel arrived damaged.')), texts.findIndex((t) => t.includes(first)),
      texts.findIndex((t) => t.includes(second)), texts.findIndex((t) => t.includes(note))];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // It is listed under Closed on this device, and nothing reached the client while offline.
    await tab(page, 'Closed').click();
    await expect(conversationOption(page, 'Cleo Client')).toBeVisible();
    expect(fakeApp.calls).toHaveLength(0);
    // The super-admin still sees it in progress: nothing left the device.
    await expect(conversationOption(admin, 'Cleo Client')).toContainText('In progress');

    // ---- back online ----
    await context.setOffline(false);
    await expectOnline(page, 60_000);
    await expect(message(page, first).getByRole('img', { name: 'Sent' })).toBeVisible({ timeout: SYNC_TIMEOUT });
    await expect(message(page, second).getByRole('img', { name: 'Sent' })).toBeVisible({ timeout: SYNC_TIMEOUT });
    await expect(message(page, note).getByRole('img', { name: 'Pending' })).toHaveCount(0);

    // Each reply exactly once, in order, verified by the receiver.
    await expect.poll(() => fakeApp.calls.length, { timeout: SYNC_TIMEOUT }).toBe(2);
    expect(fakeApp.calls.map((c) => (c.parsed as { data: string }).data)).toEqual([first, second]);
    expect(fakeApp.calls.every((c) => c.verified)).toBe(true);
    expect(fakeApp.acceptedIds()).toHaveLength(2);

    // The super-admin sees the closed query with everything in it.
    const row = conversationOption(admin, 'Cleo Client');
    await expect(row).toContainText('Closed', { timeout: SYNC_TIMEOUT });
    await row.click();
    await expect(action(admin, 'Reopen')).toBeVisible({ timeout: SYNC_TIMEOUT });
    await expect(conversation(admin)).toContainText(`Closed by ${operatorName}`);
    await expect(message(admin, first)).toBeVisible({ timeout: SYNC_TIMEOUT });
    await expect(message(admin, second)).toBeVisible();
    await expect(message(admin, note)).toContainText('Note');
    expect(fakeApp.calls).toHaveLength(2);
  } finally {
    await ownerContext.close();
  }
});
