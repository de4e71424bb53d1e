import type { Page } from 'playwright-core';

/** Signs in through the dashboard's form, as an operator does (a tenant token names its account). */
export async function signIn(
  page: Page,
  baseUrl: string,
  token: string,
  accountId = '',
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.fill('input[name=token]', token);
  await page.fill('input[name=account_id]', accountId);
  await page.click('button[type=submit]');
}
