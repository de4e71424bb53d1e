import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { Page } from 'playwright-core';
import { ServiceHarness, eventually, usageEvent } from '@tally/testing';
import { formatInstant } from '../src/format/dates';
import { AdminApi } from './admin-api';
import { launchChromium } from './chromium';
import { signIn as signInAt } from './sign-in';
import type { Browser } from './chromium';

const HOSTILE_MODEL = '<img src=x onerror="window.__xss=1">';
const FORMULA_MODEL = '=HYPERLINK("https://evil.example","x")';

/**
 * What reaches the operator's browser: tenant text (a model name the gateway reported) shown
 * as text, the headers the dashboard is served with, where the token lives, and what the
 * operator reads when admin refuses (401, 429) or a command times out (504).
 */
describe('the dashboard, on hostile data and when admin or the ledger fails', () => {
  const bootstrapToken = `tok_boot_${randomBytes(16).toString('hex')}`;
  // A command the ledger does not answer fails fast: the operator waits 3 s, not 10. A token
  // over its limit (300 requests) waits up to 30 s, longer than the dashboard waits on its own
  // (5 s); the operator's own pages make a few dozen.
  const platform = new ServiceHarness(undefined, {
    ADMIN_BOOTSTRAP_TOKEN: bootstrapToken,
    ADMIN_COMMAND_TIMEOUT_MS: '3000',
    HTTP_RATE_LIMIT_MAX: '300',
    HTTP_RATE_LIMIT_WINDOW_MS: '30000',
  });
  let api: AdminApi;
  let browser: Browser;
  let page: Page;
  const account = 'acct_tenant_text';

  beforeAll(async () => {
    await platform.start('metering', 'ledger', 'admin');
    const [admin] = platform.running('admin');
    if (!admin) throw new Error('admin did not start');
    api = new AdminApi(`http://127.0.0.1:${admin.port}`, bootstrapToken);
    await api.createAccount(account, 'Tenant Text Ltd');
    await api.grantCredit(account, '5', 'trial');
    const events = [HOSTILE_MODEL, FORMULA_MODEL].map((model) =>
      usageEvent({ subject: account, data: { model } }),
    );
    // Sent again until admin shows them: metering counts an event once by (source, id).
    await eventually(
      async () => {
        await platform.kafka.produceJson(platform.topic('usage.events'), account, events);
        const path = `/v1/accounts/${account}/usage?group_by=model`;
        const body = await api.call<{ items: Array<{ model: string }> }>('GET', path);
        expect(body.items.map((row) => row.model).sort()).toEqual(
          [HOSTILE_MODEL, FORMULA_MODEL].sort(),
        );
      },
      60_000,
      2_000,
    );
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('dialog', (dialog) => {
      throw new Error(`a dialog opened: ${dialog.message()}`);
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await platform.stop();
  });

  const signIn = (target: Page, token: string, accountId = '') =>
    signInAt(target, api.baseUrl, token, accountId);

  it('serves the dashboard with a CSP that runs its own scripts only and forbids framing', async () => {
    const index = await fetch(`${api.baseUrl}/`);
    const html = await index.text();
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    if (!script) throw new Error(`no script in the dashboard's index.html: ${html}`);
    for (const answer of [index, await fetch(`${api.baseUrl}/${script}`)]) {
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp.match(/script-src[^;]*/)?.[0]).not.toContain('unsafe-inline');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('shows model names a gateway reported as text, in the chart, its table and its tooltip', async () => {
    await signIn(page, bootstrapToken);
    await page.waitForSelector('[data-table=accounts]');
    await page.goto(`${api.baseUrl}/#/accounts/${account}`);
    const chart = page.locator('[data-chart=spend-by-model]');
    await chart.locator('svg').waitFor();
    await expect(chart.locator('table th').allTextContents()).resolves.toEqual(
      expect.arrayContaining([HOSTILE_MODEL, FORMULA_MODEL]),
    );
    await expect(chart.locator('svg').textContent()).resolves.toContain('<img src=x');
    // Hover every bar: the tooltip names the model.
    const box = await chart.locator('.chart-canvas').boundingBox();
    if (!box) throw new Error('the chart has no box');
    const tooltips = new Set<string>();
    for (let y = box.y + 4; y < box.y + box.height; y += 6) {
      await page.mouse.move(box.x + box.width * 0.6, y);
      await page.waitForTimeout(50);
      const text = await page
        .locator('[data-chart=spend-by-model] .chart-canvas > div:not(:first-child)')
        .allTextContents();
      for (const line of text) tooltips.add(line);
    }
    expect([...tooltips].join('\n')).toContain(HOSTILE_MODEL);
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
  });

  it('keeps the token out of the URL, cookies and localStorage', async () => {
    await expect(page.evaluate('document.cookie')).resolves.toBe('');
    await expect(page.evaluate('JSON.stringify(window.localStorage)')).resolves.not.toContain(
      bootstrapToken,
    );
    expect(page.url()).not.toContain(bootstrapToken);
  });

  it('says when the figures are the last balance recorded because the ledger did not answer', async () => {
    const snapshot = await api.call<{ balance: { available: string; at: string } }>(
      'GET',
      `/v1/accounts/${account}`,
    );
    const adminPage = await browser.context.newPage();
    await signIn(adminPage, bootstrapToken);
    await adminPage.waitForSelector('[data-table=accounts]');
    const [ledger] = platform.running('ledger');
    if (!ledger) throw new Error('the ledger is not running');
    await ledger.stop();
    try {
      await adminPage.goto(`${api.baseUrl}/#/accounts/${account}`);
      const failure = adminPage.locator('.account-page > .failure');
      await failure.waitFor({ timeout: 20_000 });
      await expect(failure.innerText()).resolves.toContain('ledger did not answer');
      // The figures shown are the balance admin recorded: the page says so, and when.
      const kpis = adminPage.locator('.kpis');
      await expect(kpis.getAttribute('data-source')).resolves.toBe('balance');
      await expect(kpis.locator('.kpis-note').innerText()).resolves.toBe(
        `Last balance recorded, ${formatInstant(snapshot.balance.at)}: the ledger's live status did not load.`,
      );
      expect(new Decimal(snapshot.balance.available).toFixed(2)).toBe(
        (await adminPage.locator('[data-kpi=available] .kpi-value').innerText()).replace('$', ''),
      );
    } finally {
      await adminPage.close();
      await platform.startService('ledger');
    }
  });

  it('sends the operator back to sign in when the token is revoked, and forgets it', async () => {
    const tenant = await api.tenantToken(account);
    const tenantPage = await browser.context.newPage();
    await signIn(tenantPage, tenant.token, account);
    await tenantPage.waitForSelector(`.account-page[data-account-id="${account}"]`);
    // Every panel has answered (top-ups last: topup is not running, admin falls back after 3 s).
    await tenantPage.locator('[data-panel=topups] .empty').waitFor({ timeout: 30_000 });
    await api.call('DELETE', `/v1/tokens/${tenant.token_id}`);
    await tenantPage.getByRole('button', { name: 'Refresh' }).click();
    await tenantPage.locator('form[aria-label="Sign in"]').waitFor();
    await expect(
      tenantPage.locator('form[aria-label="Sign in"] .failure').innerText(),
    ).resolves.toBe('This token is no longer valid (revoked or expired): sign in again.');
    await expect(
      tenantPage.evaluate('JSON.stringify(window.sessionStorage)'),
    ).resolves.not.toContain(tenant.token);
    await tenantPage.close();
  });

  it('tells the operator when to retry once the token is over its rate limit', async () => {
    const tenant = await api.tenantToken(account);
    const tenantPage = await browser.context.newPage();
    await signIn(tenantPage, tenant.token, account);
    await tenantPage.waitForSelector(`.account-page[data-account-id="${account}"]`);
    // Use up the token's requests of this window on a route that costs little, until what is
    // left of the window is longer than the dashboard would wait on its own.
    await eventually(
      async () => {
        const answers = await Promise.all(
          Array.from({ length: 100 }, () =>
            fetch(`${api.baseUrl}/v1/accounts?limit=1`, {
              headers: { authorization: `Bearer ${tenant.token}` },
            }),
          ),
        );
        const limited = answers.filter((answer) => answer.status === 429);
        expect(Number(limited.at(-1)?.headers.get('retry-after'))).toBeGreaterThanOrEqual(15);
      },
      90_000,
      0,
    );
    await tenantPage.getByRole('button', { name: 'Refresh' }).click();
    const failure = tenantPage.locator('.failure').first();
    await failure.waitFor();
    await expect(failure.innerText()).resolves.toMatch(
      /^RATE_LIMITED: more than 300 requests in this window; retry in \d+ seconds?\s*Retry$/,
    );
    await expect(tenantPage.locator('.kpis').count()).resolves.toBe(0);
    await tenantPage.close();
  });

  it('says an account has nothing yet, panel by panel, instead of showing blanks', async () => {
    const empty = 'acct_nothing_yet';
    await api.createAccount(empty, 'Nothing Yet');
    await page.goto(`${api.baseUrl}/#/accounts/${empty}`);
    await page.getByText('No transactions.').waitFor();
    await page.getByText('No usage in the last 30 days.').waitFor();
    await page.getByText('No alerts. Levels, limits and top-up failures show up here.').waitFor();
    await page.getByText('No top-ups yet.').waitFor({ timeout: 30_000 });
  });

  it('says a sparkline did not load instead of "no data", which reads as no spend', async () => {
    const listPage = await browser.context.newPage();
    // Admin unreachable for the sparklines' requests only: the list itself loads.
    await listPage.route(
      (url) => url.pathname.endsWith('/usage') && url.searchParams.get('group_by') === 'day',
      (route) => route.abort('connectionrefused'),
    );
    await signIn(listPage, bootstrapToken);
    const cell = listPage.locator(
      `[data-table=accounts] tr[data-account-id="${account}"] .sparkline-cell [data-sparkline=failed]`,
    );
    await cell.waitFor();
    await expect(cell.innerText()).resolves.toBe('not loaded');
    await expect(cell.getAttribute('title')).resolves.toBe('Failed to fetch');
    await listPage.close();
  });
});
