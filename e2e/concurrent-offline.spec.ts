/**
 * Two people edit the same conversation while both are offline (product §2.5): the operator who
 * has it adds a tag, a topic and a note; the super-admin adds another tag, another topic, another
 * note and transfers it back to its group's Unassigned. After both reconnect, both screens show
 * the same merged result (topics and tags are sets: both additions are kept).
 */
import type { Page } from '@playwright/test';
import { createCustomApp, expect, http, sendClientMessage, test } from './support/server';
import {
  action, clientPanel, companyWithOperator, compose, connection, conversation, conversationOption, expectOnline, message,
  messages, openConversation, OPERATOR_PASSWORD, signIn, SYNC_TIMEOUT, tab,
} from './support/inbox';

async function showClientPanel(page: Page): Promise<void> {
  const show = page.getByRole('button', { name: 'Show client details' });
  if (await show.isVisible()) await show.click();
  await expect(clientPanel(page)).toBeVisible();
}

async function addTag(page: Page, tag: string): Promise<void> {
  const field = clientPanel(page).getByRole('textbox', { name: 'Add tag' });
  await field.fill(tag);
  await field.press('Enter');
  await expect(clientPanel(page).getByRole('button', { name: `Remove tag ${tag}` })).toBeVisible();
}

const topic = (page: Page, title: string) => clientPanel(page).getByRole('checkbox', { name: title });

/** What a person sees of the conversation: tags, topics, notes, the header's state and its actions. */
async function visibleState(page: Page) {
  const tagButtons = clientPanel(page).getByRole('button', { name: /^Remove tag / });
  const tags = (await tagButtons.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).map((n) => n.replace(/^Remove tag /, '')).sort();
  const topics = (await clientPanel(page).getByRole('checkbox', { checked: true }).evaluateAll((els) => els.map((e) => e.closest('label')?.textContent?.trim() ?? ''))).sort();
  const notes = (await messages(page).filter({ hasText: /^Note/ }).allInnerTexts()).map((t) => t.trim());
  const actions = await conversation(page).getByRole('group', { name: 'Actions' }).getByRole('button').allInnerTexts();
  const previously = await conversation(page).getByText(/^Previously with /).innerText();
  return { tags, topics, noteCount: notes.length, actions: actions.map((a) => a.trim()), previously };
}

test('two people editing one conversation offline converge to the same result', async ({ page, context, browser, server, fakeApp }) => {
  // Reconnecting after offline work waits for the session's retry timer and the socket's backoff.
  test.setTimeout(180_000);
  const { owner, operator, ownerName, operatorName } = await companyWithOperator(server);
  const app = await createCustomApp(server, owner.accessToken, fakeApp);
  for (const title of ['Double charge', 'Billing', 'Delivery']) {
    const created = await http(server.url, 'POST', '/admin/topics', { token: owner.accessToken, body: { title } });
    expect(created.status).toBe(200);
  }
  await sendClientMessage(app, { clientId: 'client-dana', clientName: 'Dana Client', text: 'I was charged twice.' });

  // The operator has the conversation.
  await signIn(page, operator.email, OPERATOR_PASSWORD);
  await expectOnline(page);
  await openConversation(page, 'Unassigned', 'Dana Client');
  await action(page, 'Start conversation').click();
  await expect(action(page, 'Return to Unassigned')).toBeVisible();
  await expectOnline(page);
  await showClientPanel(page);

  const ownerContext = await browser.newContext({ baseURL: server.url });
  try {
    const admin = await ownerContext.newPage();
    await signIn(admin, owner.email, owner.password);
    await expectOnline(admin);
    await openConversation(admin, 'All', 'Dana Client');
    await expect(conversation(admin)).toContainText(`With ${operatorName}`, { timeout: SYNC_TIMEOUT });
    await showClientPanel(admin);

    // The company's topics reached both devices; none is set yet.
    for (const p of [page, admin]) {
      for (const title of ['Double charge', 'Billing', 'Delivery']) await expect(topic(p, title)).not.toBeChecked({ timeout: SYNC_TIMEOUT });
    }

    // ---- both offline ----
    await context.setOffline(true);
    await ownerContext.setOffline(true);
    for (const p of [page, admin]) await expect(connection(p)).toContainText('Offline');

    const operatorNote = 'Refund issued for the duplicate charge.';
    const ownerNote = 'Finance: please double-check the card processor.';
    await addTag(page, 'refund');
    await topic(page, 'Double charge').check();
    await compose(page, 'Note', operatorNote);

    await addTag(admin, 'vip');
    await topic(admin, 'Billing').check();
    await compose(admin, 'Note', ownerNote);
    await action(admin, 'Transfer').click();
    const dialog = admin.getByRole('dialog', { name: 'Transfer conversation' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('list', { name: 'Groups' }).getByRole('button', { name: 'Default', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(action(admin, 'Start conversation')).toBeVisible();

    for (const p of [page, admin]) await expect(connection(p)).toContainText(/\d+ changes? waiting/);
    // Neither sees the other's work yet.
    await expect(clientPanel(page).getByRole('button', { name: 'Remove tag vip' })).toHaveCount(0);
    await expect(clientPanel(admin).getByRole('button', { name: 'Remove tag refund' })).toHaveCount(0);
    await expect(topic(page, 'Billing')).not.toBeChecked();
    await expect(topic(admin, 'Double charge')).not.toBeChecked();

    // ---- both back ----
    await ownerContext.setOffline(false);
    await context.setOffline(false);
    for (const p of [page, admin]) await expectOnline(p, 60_000);

    // Both show both tags, both topics, both notes, and the transfer: Unassigned, previously with the operator.
    for (const p of [page, admin]) {
      await expect(topic(p, 'Double charge')).toBeChecked({ timeout: SYNC_TIMEOUT });
      await expect(topic(p, 'Billing')).toBeChecked({ timeout: SYNC_TIMEOUT });
      await expect(topic(p, 'Delivery')).not.toBeChecked();
      await expect(clientPanel(p).getByRole('button', { name: 'Remove tag refund' })).toBeVisible({ timeout: SYNC_TIMEOUT });
      await expect(clientPanel(p).getByRole('button', { name: 'Remove tag vip' })).toBeVisible({ timeout: SYNC_TIMEOUT });
      await expect(message(p, operatorNote)).toContainText('Note', { timeout: SYNC_TIMEOUT });
      await expect(message(p, ownerNote)).toContainText('Note', { timeout: SYNC_TIMEOUT });
      await expect(action(p, 'Start conversation')).toBeVisible({ timeout: SYNC_TIMEOUT });
      await expect(conversation(p)).toContainText(`Previously with ${operatorName}`);
      await expect(conversation(p).getByText(`Transferred to Default by ${ownerName}`)).toBeVisible();
    }
    await expect(conversationOption(admin, 'Dana Client')).toContainText('Unassigned');
    await tab(page, 'Unassigned').click();
    await expect(conversationOption(page, 'Dana Client')).toBeVisible({ timeout: SYNC_TIMEOUT });

    const [seenByOperator, seenByOwner] = [await visibleState(page), await visibleState(admin)];
    expect(seenByOperator.tags).toEqual(['refund', 'vip']);
    expect(seenByOperator.topics).toEqual(['Billing', 'Double charge']);
    expect(seenByOperator.noteCount).toBe(2);
    expect(seenByOwner).toEqual(seenByOperator);
    // Nothing went to the client: tags, topics, notes and transfers are internal.
    expect(fakeApp.calls).toHaveLength(0);
  } finally {
    await ownerContext.close();
  }
});
