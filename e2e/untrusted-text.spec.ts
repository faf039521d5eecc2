/**
 * Message text is untrusted: markup in a client's message (and name) is shown as the literal
 * characters, in the list preview and in the timeline, and nothing of it becomes an element or runs.
 */
import type { Locator, Page } from '@playwright/test';
import { createCustomApp, expect, sendClientMessage, test } from './support/server';
import { action, compose, conversation, conversationOption, expectOnline, message, openConversation, signIn, SYNC_TIMEOUT, tab } from './support/inbox';

const PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
const NAME = '<i>Eve</i> <svg onload="window.__pwned=3">';
const NOTE = '<a href="javascript:window.__pwned=4">click</a><iframe src="javascript:window.__pwned=5"></iframe>';

/** Elements the payloads would create if they were parsed as HTML, anywhere in the document. */
function injectedElements(page: Page) {
  return page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    img: [...document.querySelectorAll('img')].filter((e) => e.getAttribute('src') === 'x').length,
    script: [...document.querySelectorAll('script')].filter((e) => (e.textContent ?? '').includes('__pwned')).length,
    b: [...document.querySelectorAll('b')].filter((e) => e.textContent === 'bold').length,
    i: [...document.querySelectorAll('i')].filter((e) => e.textContent === 'Eve').length,
    svg: [...document.querySelectorAll('svg')].filter((e) => e.hasAttribute('onload')).length,
    a: [...document.querySelectorAll('a')].filter((e) => (e.getAttribute('href') ?? '').startsWith('javascript:')).length,
    iframe: document.querySelectorAll('iframe').length,
  }));
}

const NOTHING = { pwned: undefined, img: 0, script: 0, b: 0, i: 0, svg: 0, a: 0, iframe: 0 };

/** Inside `scope`: the literal text is there, and no element was made from it. */
async function expectLiteral(scope: Locator, text: string): Promise<void> {
  await expect(scope.getByText(text, { exact: true })).toBeVisible({ timeout: SYNC_TIMEOUT });
  const tags = await scope.evaluate((el) => [...el.querySelectorAll('b, img, script, i, iframe, a')].map((e) => e.tagName.toLowerCase()));
  expect(tags).toEqual([]);
}

test('markup in message text and client names is shown as text, never run', async ({ page, server, fakeApp }) => {
  const owner = await server.signup({ name: 'Olga Owner' });
  const app = await createCustomApp(server, owner.accessToken, fakeApp);
  await sendClientMessage(app, { clientId: 'client-eve', clientName: NAME, text: PAYLOAD });

  await signIn(page, owner.email, owner.password);
  await expectOnline(page);

  // The list: the client's name and the preview, literally.
  const row = conversationOption(page, NAME);
  await openConversation(page, 'Unassigned', NAME);
  await expectLiteral(row, PAYLOAD);
  await expect(row).toContainText(NAME);

  // The timeline: the message and the heading, literally.
  await expect(conversation(page).getByRole('heading', { name: NAME, exact: true })).toBeVisible();
  await expectLiteral(message(page, PAYLOAD), PAYLOAD);

  // The same for what an operator writes: a note and a reply with markup.
  await action(page, 'Start conversation').click();
  await compose(page, 'Note', NOTE);
  await expectLiteral(message(page, NOTE), NOTE);
  await compose(page, 'Reply', PAYLOAD);
  await expect(message(page, PAYLOAD)).toHaveCount(2);
  await expect(message(page, PAYLOAD).last().getByRole('img', { name: 'Sent' })).toBeVisible({ timeout: SYNC_TIMEOUT });
  // The reply reached the app as the same plain text.
  await expect.poll(() => fakeApp.calls.length, { timeout: SYNC_TIMEOUT }).toBe(1);
  expect((fakeApp.calls[0].parsed as { data: string }).data).toBe(PAYLOAD);

  // Nothing was created or run anywhere, also after a reload that renders everything from the device.
  expect(await injectedElements(page)).toEqual(NOTHING);
  await page.reload();
  await expect(conversation(page).getByRole('heading', { name: NAME, exact: true })).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expectLiteral(message(page, NOTE), NOTE);
  await expect(message(page, PAYLOAD)).toHaveCount(2, { timeout: SYNC_TIMEOUT });
  // Now in My inbox, its preview is the reply: literal too.
  await tab(page, 'My inbox').click();
  await expectLiteral(conversationOption(page, NAME), PAYLOAD);
  expect(await injectedElements(page)).toEqual(NOTHING);
});
