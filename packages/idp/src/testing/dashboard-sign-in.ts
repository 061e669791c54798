import type { Page } from 'playwright-core';
import { totpCodeAt } from '../factors/totp/totp.ts';

/** An operator who signs in to the dashboard with a password and an authenticator app. */
export interface DashboardOperator {
  username: string;
  password: string;
  totpSecret: string;
  /** The provider's clock (epoch seconds): the TOTP code is the one of its current step. */
  clock: () => number;
}

/**
 * Walks the provider's sign-in pages the dashboard sent the browser to — the password if asked (a
 * fresh sign-in asks again only for the second factor), then TOTP — until the dashboard shows again.
 * Resolves with the steps it saw, e.g. `['password', 'totp']`.
 */
export async function signInToDashboard(page: Page, operator: DashboardOperator): Promise<string[]> {
  const seen: string[] = [];
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
  if (await page.locator('#password').count()) {
    seen.push('password');
    if (await page.locator('#username').count()) await page.fill('#username', operator.username);
    await page.fill('#password', operator.password);
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[action$="/password"] button[type="submit"]'),
    ]);
  }
  await page.waitForSelector('#code');
  seen.push('totp');
  await page.fill('#code', totpCodeAt(operator.totpSecret, operator.clock()));
  await page.click('form[action$="/totp"] button[type="submit"]');
  await page.waitForURL((url) => url.pathname === '/dashboard');
  return seen;
}
