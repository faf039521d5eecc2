/**
 * The keyboard map of UI.md where a regression was found: Esc in the search field goes back to
 * the list, and single-key shortcuts work again, also when the tab's list is empty (nothing
 * could take the focus, so it stayed in the search field and "1" was typed into it).
 */
import { createCustomApp, expect, sendClientMessage, test } from './support/server';
import { conversationList, conversationOption, expectOnline, signIn, SYNC_TIMEOUT, tab } from './support/inbox';

test('Esc leaves the search field, then 1 2 3 switch tabs, also over an empty list', async ({ page, server, fakeApp }) => {
  const owner = await server.signup({ name: 'Olga Owner' });
  const app = await createCustomApp(server, owner.accessToken, fakeApp);
  await sendClientMessage(app, { clientId: 'client-hal', clientName: 'Hal Client', text: 'Need a refund' });
  await signIn(page, owner.email, owner.password);
  await expectOnline(page);
  await expect(tab(page, 'My inbox')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByText('Your inbox is empty')).toBeVisible();

  const search = page.getByRole('searchbox', { name: 'Search conversations' });
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  await page.keyboard.type('refund');
  await expect(search).toHaveValue('refund');
  await page.keyboard.press('Escape');
  await expect(search).toHaveValue('');
  await expect(search).not.toBeFocused();

  await page.keyboard.press('1');
  await expect(tab(page, 'Unassigned')).toHaveAttribute('aria-selected', 'true');
  await expect(search).toHaveValue('');
  await page.keyboard.press('3');
  await expect(tab(page, 'Closed')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('2');
  await expect(tab(page, 'My inbox')).toHaveAttribute('aria-selected', 'true');

  // Over a list with rows, Esc from the search puts the keyboard in the list.
  await page.keyboard.press('1');
  await expect(conversationOption(page, 'Hal Client')).toBeVisible({ timeout: SYNC_TIMEOUT });
  await page.keyboard.press('/');
  await page.keyboard.type('refund');
  await expect(conversationOption(page, 'Hal Client')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(conversationList(page)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(conversationOption(page, 'Hal Client')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: 'Conversation' }).getByRole('heading', { name: 'Hal Client' })).toBeVisible();
});
