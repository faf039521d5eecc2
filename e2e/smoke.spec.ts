/**
 * The pipeline end to end: the built web client, served by a real sync server, opens in Chromium
 * under its strict CSP without violations, and its offline shell brings it back on a reload
 * without a network, and with the server down.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/server';

/** A fresh server has no session: the client opens on sign-in or sign-up (src-renderer/ACCESSIBILITY.md). */
const firstScreen = (page: Page) => page.getByRole('heading', { name: /^(Sign in|Create your company)$/ });

/** Records CSP violations from the first script on, so a blocked script or style fails the test. */
async function watchCspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return () => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
}

test('the web client loads from the sync server with its security headers', async ({ page }) => {
  const violations = await watchCspViolations(page);
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  const headers = response!.headers();
  expect(headers['content-type']).toBe('text/html; charset=utf-8');
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['content-security-policy']).toContain("script-src 'self';");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');

  await expect(firstScreen(page)).toBeVisible();
  expect(await violations()).toEqual([]);
});

test('reloading while offline, or with the server down, still shows the app', async ({ page, context, server }) => {
  await page.goto('/');
  await expect(firstScreen(page)).toBeVisible();
  // The offline shell is installed (its precache is complete once it is active) and controls the page.
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? 'none'), {
      message: 'the offline shell /sw.js is active (main.tsx calls registerServiceWorker() from ./offline)',
    })
    .toBe('activated');
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(firstScreen(page)).toBeVisible();
  await context.setOffline(false);

  await server.stop();
  await page.reload();
  await expect(firstScreen(page)).toBeVisible();
});
