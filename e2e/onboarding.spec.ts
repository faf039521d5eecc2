/**
 * A company starts from nothing: its super-admin signs up through the sign-up form, invites an
 * operator in the settings window, reads the invitation link there, and the operator (in a second
 * browser context: another person, another device) opens the link, joins, and is signed in.
 */
import { expect, test } from './support/server';
import { conversationList, expectInbox, expectOnline, SYNC_TIMEOUT, tab } from './support/inbox';

test('a company signs up, invites an operator in the settings window, and the operator joins', async ({ page, browser, baseURL }) => {
  const ownerEmail = 'olga@acme.example';
  const operatorEmail = 'oscar@acme.example';

  // 1. Sign-up, entirely through the form of an empty server.
  await page.goto('/');
  const signInHeading = page.getByRole('heading', { name: 'Sign in' });
  const signUpHeading = page.getByRole('heading', { name: 'Create your company' });
  await expect(signInHeading.or(signUpHeading)).toBeVisible();
  if (await signInHeading.isVisible()) await page.getByRole('link', { name: 'Create a company' }).click();
  await expect(signUpHeading).toBeVisible();
  // A browser talks to the page's origin: no "Server URL" field.
  await expect(page.getByRole('textbox', { name: 'Server URL' })).toHaveCount(0);
  await page.getByRole('textbox', { name: 'Company name' }).fill('Acme Support');
  await page.getByRole('textbox', { name: 'Your name' }).fill('Olga Owner');
  await page.getByRole('textbox', { name: 'Email' }).fill(ownerEmail);
  await page.getByRole('textbox', { name: 'Phone' }).fill('+1 555 0100');
  await page.getByRole('textbox', { name: 'Password' }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Create company' }).click();

  await expectInbox(page);
  await expectOnline(page);
  await expect(page.getByRole('navigation', { name: 'Inbox' })).toContainText('Acme Support');
  await expect(tab(page, 'Unassigned')).toBeVisible();
  await expect(tab(page, 'My inbox')).toBeVisible();
  await expect(tab(page, 'Closed')).toBeVisible();
  await expect(tab(page, 'All')).toBeVisible(); // the super-admin sees every inbox
  await expect(conversationList(page)).toHaveCount(1);

  // 2. The settings window (a new window of the same browser in browser mode).
  const settingsOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const settings = await settingsOpened;
  await settings.waitForLoadState('domcontentloaded');
  expect(new URL(settings.url()).searchParams.get('window')).toBe('settings');
  await expect(settings.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(settings.getByRole('heading', { name: 'Operators' })).toBeVisible({ timeout: SYNC_TIMEOUT });
  const operators = settings.getByRole('table', { name: 'Operators' });
  await expect(operators).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(operators.getByRole('row').filter({ hasText: ownerEmail })).toContainText('Active');

  const invite = settings.getByRole('form', { name: 'Invite operator' });
  await invite.getByRole('textbox', { name: 'Email' }).fill(operatorEmail);
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  const linkField = settings.getByRole('textbox', { name: 'Invitation link' });
  await expect(linkField).toBeVisible();
  await expect(linkField).toHaveAttribute('readonly', '');
  const invitationUrl = await linkField.inputValue();
  expect(invitationUrl).toMatch(/\/#\/accept-invite\?token=[^&\s]+$/);
  expect(new URL(invitationUrl).origin).toBe(new URL(baseURL!).origin);
  // The invitee is listed, not registered yet.
  await expect(operators.getByRole('row').filter({ hasText: operatorEmail })).toContainText('Not registered');

  // 3. The operator, in a second browser context, opens the link and joins.
  const operatorContext = await browser.newContext({ baseURL });
  try {
    const op = await operatorContext.newPage();
    await op.goto(invitationUrl);
    await expect(op.getByRole('heading', { name: 'Join Acme Support' })).toBeVisible({ timeout: SYNC_TIMEOUT });
    await expect(op.getByText(operatorEmail)).toBeVisible();
    await op.getByRole('textbox', { name: 'Your name' }).fill('Oscar Operator');
    await op.getByRole('textbox', { name: 'Password' }).fill('operator password 1');
    await op.getByRole('button', { name: 'Join', exact: true }).click();

    await expectInbox(op);
    await expectOnline(op);
    await expect(op.getByRole('navigation', { name: 'Inbox' })).toContainText('Oscar Operator');
    // An operator has no settings and (by default) no All tab.
    await expect(op.getByRole('button', { name: 'Settings', exact: true })).toHaveCount(0);
    await expect(tab(op, 'All')).toHaveCount(0);

    // The super-admin's settings window shows the operator as Active after a reload of the table.
    await settings.getByRole('button', { name: 'Reload operators' }).click();
    await expect(operators.getByRole('row').filter({ hasText: operatorEmail })).toContainText('Active', { timeout: SYNC_TIMEOUT });
    await expect(operators.getByRole('row').filter({ hasText: operatorEmail })).toContainText('Oscar Operator');
    // And the team in the owner's inbox lists them (the company document reached the owner).
    await expect(page.getByRole('region', { name: /^Team\b/ })).toContainText('Oscar Operator', { timeout: SYNC_TIMEOUT });
  } finally {
    await operatorContext.close();
  }
});
