/**
 * A client writes through a Custom app; the message reaches every operator's Unassigned live;
 * the operator takes it, which everyone sees at once; the operator's reply reaches the app's
 * webhook exactly once, signed, and the reply shows as Sent.
 */
import type { Browser, Page } from '@playwright/test';
import { createCustomApp, expect, sendClientMessage, test, type E2EServer } from './support/server';
import {
  action, companyWithOperator, compose, conversation, conversationOption, expectActions, expectOnline, message, messages,
  MINE_ACTIONS, openConversation, OPERATOR_PASSWORD, signIn, SYNC_TIMEOUT, tab, UNASSIGNED_ACTIONS,
} from './support/inbox';

async function signedInPage(browser: Browser, server: E2EServer, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await signIn(page, email, password);
  await expectOnline(page);
  return page;
}

test('an inbound message appears in both Unassigned lists live; taking it moves it for everyone', async ({ page, browser, server, fakeApp }) => {
  const { owner, operator, operatorName } = await companyWithOperator(server);
  const app = await createCustomApp(server, owner.accessToken, fakeApp);

  // Both are signed in and looking at Unassigned before the client writes.
  await signIn(page, owner.email, owner.password);
  await expectOnline(page);
  const op = await signedInPage(browser, server, operator.email, OPERATOR_PASSWORD);
  try {
    for (const p of [page, op]) {
      await tab(p, 'Unassigned').click();
      await expect(p.getByText('No unassigned queries')).toBeVisible();
    }

    await sendClientMessage(app, { clientId: 'client-ann', clientName: 'Ann Client', text: 'Hello, where is my order #1042?' });

    // No reload: the row arrives in both lists, with the message as its preview.
    for (const p of [page, op]) {
      const row = conversationOption(p, 'Ann Client');
      await expect(row).toBeVisible({ timeout: SYNC_TIMEOUT });
      await expect(row).toContainText('Hello, where is my order #1042?');
      await expect(tab(p, 'Unassigned')).toHaveAccessibleDescription(/1 conversation/);
    }

    // The operator opens it and starts the conversation.
    await openConversation(op, 'Unassigned', 'Ann Client');
    await expect(message(op, 'Hello, where is my order #1042?')).toBeVisible();
    // Only messages are list items: the "New request" separator is not one.
    await expect(messages(op)).toHaveCount(1);
    await expectActions(op, UNASSIGNED_ACTIONS);
    await expect(action(op, 'Start conversation')).toBeEnabled();
    await action(op, 'Start conversation').click();
    await expectActions(op, MINE_ACTIONS);
    await expect(op.getByText('Taken by Oscar Operator')).toBeVisible();
    await expect(messages(op)).toHaveCount(1);
    await expect(tab(op, 'My inbox')).toHaveAccessibleName(/^My inbox\s*1$/, { timeout: SYNC_TIMEOUT });

    // The super-admin sees it taken at once: gone from Unassigned, under All with the operator.
    await expect(conversationOption(page, 'Ann Client')).toHaveCount(0, { timeout: SYNC_TIMEOUT });
    await expect(page.getByText('No unassigned queries')).toBeVisible();
    await tab(page, 'All').click();
    const inAll = conversationOption(page, 'Ann Client');
    await expect(inAll).toBeVisible({ timeout: SYNC_TIMEOUT });
    await expect(inAll).toContainText(operatorName);
    await expect(inAll).toContainText('In progress');
    await expect(inAll).toHaveAccessibleDescription(new RegExp(`Operator ${operatorName}`));
    await inAll.click();
    await expect(conversation(page)).toContainText(`With ${operatorName}`);
    // Nothing reached the app yet: taking a conversation sends nothing to the client.
    expect(fakeApp.calls).toHaveLength(0);
  } finally {
    await op.context().close();
  }
});

test('a reply reaches the Custom app exactly once, signed, and shows as Sent', async ({ page, server, fakeApp }) => {
  const { owner, operator, operatorName } = await companyWithOperator(server);
  const app = await createCustomApp(server, owner.accessToken, fakeApp);
  const inbound = await sendClientMessage(app, { clientId: 'client-ben', clientName: 'Ben Client', text: 'Can I change my delivery address?' });

  await signIn(page, operator.email, OPERATOR_PASSWORD);
  await expectOnline(page);
  await openConversation(page, 'Unassigned', 'Ben Client');
  await action(page, 'Start conversation').click();
  await expectActions(page, MINE_ACTIONS);

  const reply = 'Yes — send me the new address and I will update it.';
  await compose(page, 'Reply', reply);
  const sent = message(page, reply);
  await expect(sent).toBeVisible();
  await expect(sent).toContainText('You');
  await expect(sent.getByRole('img', { name: 'Sent' })).toBeVisible({ timeout: SYNC_TIMEOUT });

  // Exactly one delivery, verified by the receiver (Bearer token, Standard Webhooks signature, body).
  await expect.poll(() => fakeApp.calls.length, { timeout: SYNC_TIMEOUT }).toBe(1);
  const [call] = fakeApp.calls;
  expect(call.problem).toBeNull();
  expect(call.verified).toBe(true);
  expect(call.status).toBe(200);
  expect(call.headers['webhook-signature']).toMatch(/^v1,/);
  expect(fakeApp.acceptedIds()).toEqual([call.webhookId]);
  const body = call.parsed as Record<string, unknown>;
  expect(body).toMatchObject({ custom_channel_id: app.customAppId, client_id: 'client-ben', type: 'text', data: reply });
  expect(Number(body.conversation_id)).toBe(inbound.conversationId);

  // Still exactly one once the Sent state is shown (no retry of an accepted delivery), and the
  // header keeps the operator.
  await expect(conversation(page)).toContainText(`With ${operatorName}`);
  expect(fakeApp.calls).toHaveLength(1);
});
