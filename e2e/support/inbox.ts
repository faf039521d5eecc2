/**
 * The inbox as a screen reader user finds it: role + accessible name locators only, from the
 * contract in src-renderer/ACCESSIBILITY.md. Plus the few flows several specs share (sign-in,
 * opening a conversation, sending a reply or a note).
 */
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import type { E2EServer } from './server';

/** Sync between two browsers on a loaded 2-core machine: generous, never a fixed sleep. */
export const SYNC_TIMEOUT = 30_000;

/** The password `server.addOperator()` gives invited operators (sync-server/test/harness.ts). */
export const OPERATOR_PASSWORD = 'operator password 1';

export const tabs = (page: Page) => page.getByRole('tablist', { name: 'Conversation tabs' });
export const tab = (page: Page, name: 'Unassigned' | 'My inbox' | 'Closed' | 'All') =>
  tabs(page).getByRole('tab', { name: name === 'My inbox' ? /^My inbox\b/ : name, exact: name !== 'My inbox' });
export const conversationList = (page: Page) => page.getByRole('listbox', { name: 'Conversations' });
export const conversationOption = (page: Page, clientName: string) =>
  conversationList(page).getByRole('option', { name: clientName, exact: true });
export const connection = (page: Page) => page.getByRole('status', { name: 'Connection' });

export const conversation = (page: Page) => page.getByRole('region', { name: 'Conversation' });
export const messagesList = (page: Page) => conversation(page).getByRole('list', { name: 'Messages' });
export const messages = (page: Page) => messagesList(page).getByRole('listitem');
/** The message whose text is exactly `text` (a note also carries the text "Note"). */
export const message = (page: Page, text: string) =>
  messages(page).filter({ has: page.getByText(text, { exact: true }) });
export const action = (page: Page, name: 'Start conversation' | 'Transfer' | 'Return to Unassigned' | 'Close' | 'Reopen') =>
  conversation(page).getByRole('button', { name, exact: true });
/**
 * The header's actions are exactly these (ACCESSIBILITY.md: Unassigned → Start conversation,
 * Transfer, Close; My inbox → Transfer, Return to Unassigned, Close; Closed → Reopen).
 */
export async function expectActions(page: Page, names: string[], timeout = SYNC_TIMEOUT): Promise<void> {
  const buttons = conversation(page).getByRole('group', { name: 'Actions' }).getByRole('button');
  await expect(buttons).toHaveText(names.map((n) => new RegExp(`^\\s*${n}\\s*$`)), { timeout });
}
export const UNASSIGNED_ACTIONS = ['Start conversation', 'Transfer', 'Close'];
export const MINE_ACTIONS = ['Transfer', 'Return to Unassigned', 'Close'];
export const CLOSED_ACTIONS = ['Reopen'];
export const clientPanel = (page: Page) => page.getByRole('complementary', { name: 'Client' });

/** Waits until the inbox is on screen (the tabs are there and the sync worker reports a connection state). */
export async function expectInbox(page: Page): Promise<void> {
  await expect(tabs(page)).toBeVisible({ timeout: SYNC_TIMEOUT });
  await expect(connection(page)).toBeVisible();
}

/** Signs in through the sign-in form of a fresh page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/#/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectInbox(page);
}

/** Waits until the connection indicator says Online with nothing waiting. */
export async function expectOnline(page: Page, timeout = SYNC_TIMEOUT): Promise<void> {
  await expect(connection(page)).toHaveText(/^\s*Online\s*$/, { timeout });
}

/** Opens a tab and the client's conversation in it. */
export async function openConversation(page: Page, tabName: Parameters<typeof tab>[1], clientName: string): Promise<void> {
  await tab(page, tabName).click();
  await expect(tab(page, tabName)).toHaveAttribute('aria-selected', 'true');
  const option = conversationOption(page, clientName);
  await expect(option).toBeVisible({ timeout: SYNC_TIMEOUT });
  await option.click();
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await expect(conversation(page).getByRole('heading', { name: clientName, exact: true })).toBeVisible();
  await expect(messagesList(page)).toBeVisible({ timeout: SYNC_TIMEOUT });
}

/** Writes in the composer (Reply or Note) and sends with the Send button. */
export async function compose(page: Page, mode: 'Reply' | 'Note', text: string): Promise<void> {
  const region = conversation(page);
  const radio = region.getByRole('radiogroup', { name: 'Composer mode' }).getByRole('radio', { name: mode, exact: true });
  await radio.check();
  const box = region.getByRole('textbox', { name: 'Message', exact: true });
  await expect(box).toBeEnabled();
  await box.fill(text);
  await region.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(box).toHaveValue('');
}

/** Attaches a full-page screenshot to the test and keeps a copy under test-results/e2e/screenshots/. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const dir = path.join(testInfo.project.outputDir, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  const body = await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  await testInfo.attach(name, { body, contentType: 'image/png' });
  return file;
}

/**
 * WCAG contrast ratio of an element's text (or its placeholder) against the background it sits on
 * (the first opaque background up the tree, translucent layers blended in).
 */
export function contrastRatio(target: Locator, part: 'text' | 'placeholder' = 'text'): Promise<number> {
  return target.evaluate((el, which) => {
    const parse = (c: string) => {
      const m = (c.match(/[\d.]+/g) ?? ['0', '0', '0', '0']).map(Number);
      return { r: m[0], g: m[1], b: m[2], a: m[3] ?? 1 };
    };
    const blend = (top: { r: number; g: number; b: number; a: number }, under: { r: number; g: number; b: number }) => ({
      r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a),
    });
    const layers: Array<ReturnType<typeof parse>> = [];
    for (let node: Element | null = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    let bg = { r: 255, g: 255, b: 255 };
    for (const layer of layers.reverse()) bg = blend(layer, bg);
    const fg = blend(parse(getComputedStyle(el, which === 'placeholder' ? '::placeholder' : null).color), bg);
    const lum = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  }, part);
}

/** A company (signed up through the API), for specs that do not test sign-up itself. */
export async function companyWithOperator(server: E2EServer, opts: { ownerName?: string; operatorName?: string } = {}) {
  const owner = await server.signup({ name: opts.ownerName ?? 'Olga Owner', companyName: 'Acme Support' });
  const operator = await server.addOperator(owner.accessToken, { name: opts.operatorName ?? 'Oscar Operator' });
  return { owner, operator, ownerName: opts.ownerName ?? 'Olga Owner', operatorName: opts.operatorName ?? 'Oscar Operator' };
}
