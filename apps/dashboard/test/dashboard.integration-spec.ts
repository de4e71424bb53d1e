import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import type { Page } from 'playwright-core';
import { ServiceHarness, awayFromUtcMidnight, eventually, usageEvent } from '@tally/testing';
import { AdminApi } from './admin-api';
import { launchChromium } from './chromium';
import { signIn as signInAt } from './sign-in';
import type { Browser } from './chromium';

const SCREENSHOTS = path.resolve(__dirname, '../../../docs/screenshots');
const DAY_MS = 86_400_000;
const XSS_NAME = '<img src=x onerror="window.__xss=1">';

/** gpt-4o-mini input costs 0.15 per million tokens: each event below costs tokens × 0.15e-6. */
interface Usage {
  daysAgo: number;
  inputTokens: number;
}

interface DemoAccount {
  id: string;
  name: string;
  grant: string;
  grantReason: string;
  purchase?: string;
  usage: Usage[];
}

const accounts: Record<'north' | 'globex' | 'hostile', DemoAccount> = {
  // 10 granted + 10 bought, 0.45 spent: 98 % left, GREEN.
  north: {
    id: 'acct_north',
    name: 'Northwind Traders',
    grant: '10',
    grantReason: 'welcome credit',
    purchase: '10',
    usage: [
      { daysAgo: 2, inputTokens: 2_000_000 },
      { daysAgo: 0, inputTokens: 1_000_000 },
    ],
  },
  // 1 granted, 0.60 spent on four different days: 40 % left, YELLOW.
  globex: {
    id: 'acct_globex',
    name: 'Globex',
    grant: '1',
    grantReason: 'trial',
    usage: [
      { daysAgo: 6, inputTokens: 1_000_000 },
      { daysAgo: 3, inputTokens: 1_000_000 },
      { daysAgo: 1, inputTokens: 1_000_000 },
      { daysAgo: 0, inputTokens: 1_000_000 },
    ],
  },
  // 1 granted, 0.93 spent: 7 % left, RED. Its name (and so its alert's message) is markup.
  hostile: {
    id: 'acct_hostile',
    name: XSS_NAME,
    grant: '1',
    grantReason: 'pilot',
    usage: [
      { daysAgo: 1, inputTokens: 3_200_000 },
      { daysAgo: 0, inputTokens: 3_000_000 },
    ],
  },
};

const costOf = (usage: Usage) => new Decimal(usage.inputTokens).times('0.00000015');
const spentBy = (account: DemoAccount) =>
  account.usage.reduce((total, usage) => total.plus(costOf(usage)), new Decimal(0));
const utcDay = (daysAgo: number) =>
  new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);

describe('the dashboard in Chromium, on data that went through admin, the ledger and Kafka', () => {
  const bootstrapToken = `tok_boot_${randomBytes(16).toString('hex')}`;
  const platform = new ServiceHarness(undefined, { ADMIN_BOOTSTRAP_TOKEN: bootstrapToken });
  let api: AdminApi;
  let browser: Browser;
  let page: Page;
  let tenantToken: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await awayFromUtcMidnight();
    await platform.start('metering', 'ledger', 'admin');
    const [admin] = platform.running('admin');
    if (!admin) throw new Error('admin did not start');
    api = new AdminApi(`http://127.0.0.1:${admin.port}`, bootstrapToken);

    for (const account of Object.values(accounts)) {
      await api.createAccount(account.id, account.name);
      await api.grantCredit(account.id, account.grant, account.grantReason);
      if (account.purchase) await buy(account, account.purchase);
      let spent = new Decimal(0);
      for (const usage of account.usage) {
        spent = spent.plus(costOf(usage));
        await use(account, usage);
        // One event at a time, so that each is a transaction of its own.
        await eventually(
          async () => {
            const status = await api.budgetStatus(account.id);
            expect(new Decimal(status.used).equals(spent)).toBe(true);
          },
          60_000,
          250,
        );
      }
    }
    // Level alerts as alerting announces them (DESIGN 3.5).
    await fireAlert(accounts.globex, 'YELLOW', 60);
    await fireAlert(accounts.hostile, 'RED', 93);
    tenantToken = (await api.tenantToken(accounts.globex.id)).token;
    await waitForReadModels();

    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('dialog', (dialog) => {
      throw new Error(`a dialog opened: ${dialog.message()}`);
    });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await platform.stop();
  });

  /** A credit purchase as topup announces it on payments.events (DESIGN 3.4). */
  async function buy(account: DemoAccount, credit: string): Promise<void> {
    await platform.kafka.produceJson(platform.topic('payments.events'), account.id, [
      {
        schema_version: 1,
        id: `pay_${randomUUID()}`,
        account_id: account.id,
        kind: 'credit_purchased',
        trigger: 'manual',
        credit_amount: credit,
        paid_amount: new Decimal(credit).times(3).toFixed(2),
        paid_currency: 'CHF',
        stripe_ref: `cs_test_${randomBytes(8).toString('hex')}`,
        at: new Date().toISOString(),
      },
    ]);
    await eventually(
      async () => {
        const status = await api.budgetStatus(account.id);
        expect(new Decimal(status.available).equals(new Decimal(account.grant).plus(credit))).toBe(
          true,
        );
      },
      60_000,
      250,
    );
  }

  async function fireAlert(account: DemoAccount, level: string, percent: number): Promise<void> {
    await platform.kafka.produceJson(platform.topic('alerts.fired'), account.id, [
      {
        schema_version: 1,
        id: `alert_${randomUUID()}`,
        account_id: account.id,
        api_key_id: null,
        kind: 'threshold',
        state: 'fired',
        level,
        percent,
        period_start: null,
        message: `${account.name} has spent ${percent} % of its funds`,
        at: new Date().toISOString(),
      },
    ]);
  }

  async function use(account: DemoAccount, usage: Usage): Promise<void> {
    const event = usageEvent({
      subject: account.id,
      time: new Date(Date.now() - usage.daysAgo * DAY_MS).toISOString(),
      data: { model: 'gpt-4o-mini', input_tokens: usage.inputTokens, output_tokens: 0 },
    });
    await platform.kafka.produceJson(platform.topic('usage.events'), account.id, [event]);
  }

  /** admin projects events asynchronously: wait until its rollups show every usage. */
  async function waitForReadModels(): Promise<void> {
    for (const account of Object.values(accounts)) {
      await eventually(
        async () => {
          const path = `/v1/accounts/${account.id}/usage?group_by=day`;
          const body = await api.call<{ items: Array<{ cost: string }> }>('GET', path);
          const total = body.items.reduce((sum, row) => sum.plus(row.cost), new Decimal(0));
          expect(total.toFixed()).toBe(spentBy(account).toFixed());
          const alerts = await api.call<{ items: unknown[] }>(
            'GET',
            `/v1/accounts/${account.id}/alerts`,
          );
          expect(alerts.items).toHaveLength(account === accounts.north ? 0 : 1);
        },
        60_000,
        250,
      );
    }
  }

  const baseUrl = () => api.baseUrl;

  const signIn = (target: Page, token: string, accountId = '') =>
    signInAt(target, baseUrl(), token, accountId);

  const row = (accountId: string) =>
    page.locator(`[data-table=accounts] tr[data-account-id="${accountId}"]`);

  it('signs an admin in and lists every account with its balance, level and sparkline', async () => {
    await page.goto(`${baseUrl()}/`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-sign-in.png') });
    await signIn(page, bootstrapToken);
    await page.waitForSelector('[data-table=accounts]');

    await expect(page.locator('[data-table=accounts] > tbody > tr').count()).resolves.toBe(3);
    const expected = [
      [accounts.north, '$19.55', '$0.45', 'GREEN'],
      [accounts.globex, '$0.40', '$0.60', 'YELLOW'],
      [accounts.hostile, '$0.07', '$0.93', 'RED'],
    ] as const;
    for (const [account, balance, used, level] of expected) {
      await expect(row(account.id).locator('[data-cell=balance]').innerText()).resolves.toBe(
        balance,
      );
      await expect(row(account.id).locator('[data-cell=used]').innerText()).resolves.toBe(used);
      await expect(row(account.id).locator('.badge').getAttribute('data-level')).resolves.toBe(
        level,
      );
      await row(account.id).locator('[data-chart=sparkline] svg').waitFor();
      await expect(
        row(account.id).locator('[data-chart=sparkline]').getAttribute('data-points'),
      ).resolves.toBe('30');
    }
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'dashboard-accounts.png'),
      fullPage: true,
    });
  });

  it('shows hostile markup in an account name and an alert message as text', async () => {
    await expect(row(accounts.hostile.id).locator('.account-name').innerText()).resolves.toBe(
      XSS_NAME,
    );
    await expect(page.locator('[data-table=accounts] img').count()).resolves.toBe(0);
    await row(accounts.hostile.id).locator('a').click();
    await page.waitForSelector('[data-table=transactions]');
    await expect(page.locator('h1.account-title').innerText()).resolves.toBe(XSS_NAME);
    await page.locator('[data-list=alerts] .alert-message').waitFor();
    await expect(page.locator('[data-list=alerts] .alert-message').innerText()).resolves.toBe(
      `${XSS_NAME} has spent 93 % of its funds`,
    );
    await expect(
      page.locator('[data-list=alerts] .badge').getAttribute('data-level'),
    ).resolves.toBe('RED');
    await expect(page.locator('.account-page img, .account-page script').count()).resolves.toBe(0);
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
  });

  it("shows an account's spend per day, by model, its budget and its transactions", async () => {
    await page.goto(`${baseUrl()}/#/accounts/${accounts.globex.id}`);
    await page.waitForSelector('[data-table=transactions] tbody tr');

    await expect(page.locator('[data-kpi=available] .kpi-value').innerText()).resolves.toBe(
      '$0.40',
    );
    await expect(page.locator('[data-kpi=used] .kpi-value').innerText()).resolves.toBe('$0.60');
    await expect(page.locator('.page-header .badge').getAttribute('data-level')).resolves.toBe(
      'YELLOW',
    );

    const spendPerDay = await chartRows('spend-over-time');
    expect(spendPerDay).toHaveLength(30);
    expect(spendPerDay.filter(([, cost]) => cost !== '0')).toEqual(
      [6, 3, 1, 0].map((daysAgo) => [utcDay(daysAgo), '0.15']),
    );
    await expect(chartRows('spend-by-model')).resolves.toEqual([['gpt-4o-mini', '0.6']]);
    await expect(chartRows('budget-gauge')).resolves.toEqual([['spent', '60 %']]);
    await expect(
      page.locator('[data-chart=spend-over-time] svg path').count(),
    ).resolves.toBeGreaterThan(0);

    // One grant and one transaction per usage event, newest first.
    await expect(transactionKinds()).resolves.toEqual([
      'usage',
      'usage',
      'usage',
      'usage',
      'grant',
    ]);
    await expect(
      page.locator('[data-table=transactions] tr[data-kind=grant] [data-cell=amount]').innerText(),
    ).resolves.toBe('$1.00');
    // Granted credit paid for every usage: no allowance, nothing bought, no overage.
    const usageRows = page.locator('[data-table=transactions] tr[data-kind=usage]');
    await expect(usageRows.locator('[data-cell=amount]').allInnerTexts()).resolves.toEqual(
      Array(4).fill('-$0.15'),
    );
    await expect(usageRows.locator('[data-cell=funding-bonus]').allInnerTexts()).resolves.toEqual(
      Array(4).fill('$0.15'),
    );
    await expect(usageRows.locator('[data-cell=funding-credit]').allInnerTexts()).resolves.toEqual(
      Array(4).fill('·'),
    );
    await expect(page.locator('[data-list=alerts] .alert-message').innerText()).resolves.toBe(
      'Globex has spent 60 % of its funds',
    );
    // Top-ups come from topup, or from admin's payments when topup does not answer.
    await page.locator('[data-panel=topups] .empty').waitFor({ timeout: 60_000 });
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'dashboard-account.png'),
      fullPage: true,
    });
  });

  it('filters transactions by kind and by UTC days, and downloads the same rows as CSV', async () => {
    await page.selectOption('select[name=kind]', 'usage');
    await page.click('form[aria-label="Filter transactions"] button[type=submit]');
    await eventually(async () =>
      expect(await transactionKinds()).toEqual(['usage', 'usage', 'usage', 'usage']),
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('text=Download CSV'),
    ]);
    const [header = '', ...lines] = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    const columns = header.split(',');
    expect(columns).toEqual(expect.arrayContaining(['transaction_id', 'kind', 'amount']));
    const idColumn = columns.indexOf('transaction_id');
    const unquote = (field = '') => field.replace(/^"(.*)"$/, '$1');
    expect(lines.map((line) => unquote(line.split(',')[idColumn]))).toEqual(await transactionIds());
    expect(download.suggestedFilename()).toBe(`transactions-${accounts.globex.id}-usage.csv`);

    // Everything was posted today: a range that ends yesterday holds nothing.
    await page.fill('input[name=to]', utcDay(1));
    await page.click('form[aria-label="Filter transactions"] button[type=submit]');
    await page.getByText('No transactions match this filter.').waitFor();
    await page.fill('input[name=from]', utcDay(0));
    await page.fill('input[name=to]', utcDay(0));
    await page.selectOption('select[name=kind]', '');
    await page.click('form[aria-label="Filter transactions"] button[type=submit]');
    await eventually(async () => expect(await transactionKinds()).toHaveLength(5));
  });

  it('shows the system summary and the top spenders, highest first', async () => {
    await page.goto(`${baseUrl()}/#/system`);
    await page.waitForSelector('[data-table=top-spenders] tbody tr');
    await expect(
      page
        .locator('[data-table=top-spenders] tbody tr')
        .evaluateAll((rows) => rows.map((tableRow) => tableRow.getAttribute('data-account-id'))),
    ).resolves.toEqual([accounts.hostile.id, accounts.globex.id, accounts.north.id]);
    await expect(chartRows('top-spenders')).resolves.toEqual([
      [accounts.hostile.id, expect.stringMatching(/^0\.930*$/)],
      [accounts.globex.id, expect.stringMatching(/^0\.60*$/)],
      [accounts.north.id, expect.stringMatching(/^0\.450*$/)],
    ]);
    await expect(
      page.locator('[data-table=top-spenders] [data-cell=spend]').allInnerTexts(),
    ).resolves.toEqual(['$0.93', '$0.60', '$0.45']);
    await expect(
      page.locator('[data-table=top-spenders] .account-name').first().innerText(),
    ).resolves.toBe(XSS_NAME);

    const kpi = (name: string) => page.locator(`[data-list=summary] [data-kpi=${name}] .kpi-value`);
    await expect(kpi('accounts').innerText()).resolves.toBe('3');
    await expect(kpi('today').innerText()).resolves.toBe('$0.75');
    await expect(kpi('window').innerText()).resolves.toBe('$1.98');
    await expect(
      kpi('alert_levels')
        .locator('.level-count')
        .evaluateAll((counts) => counts.map((count) => count.textContent?.replace(/\s+/g, ' '))),
    ).resolves.toEqual(['GREEN 1', 'YELLOW 1', 'ORANGE 0', 'RED 1', 'CRITICAL 0']);
    // Every account's usage per day of occurrence, summed exactly.
    const systemSpend = await chartRows('system-spend');
    expect(systemSpend).toHaveLength(30);
    expect(systemSpend.filter(([, cost]) => cost !== '0')).toEqual([
      [utcDay(6), '0.15'],
      [utcDay(3), '0.15'],
      [utcDay(2), '0.3'],
      [utcDay(1), '0.63'],
      [utcDay(0), '0.75'],
    ]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-system.png'), fullPage: true });
  });

  it('shows the credit an account bought among its top-ups', async () => {
    await page.goto(`${baseUrl()}/#/accounts/${accounts.north.id}`);
    const purchases = page.locator('[data-table=topups] tbody tr[data-kind=purchase]');
    await purchases.first().waitFor({ timeout: 60_000 });
    await expect(purchases.count()).resolves.toBe(1);
    await expect(purchases.locator('[data-cell=credit]').innerText()).resolves.toBe('$10.00');
    await expect(purchases.locator('[data-cell=paid]').innerText()).resolves.toBe('30.00 CHF');
    await expect(page.locator('[data-kpi=available] .kpi-value').innerText()).resolves.toBe(
      '$19.55',
    );
    await expect(transactionKinds()).resolves.toEqual(['usage', 'usage', 'purchase', 'grant']);
  });

  it('lets a tenant token see its own account only', async () => {
    const tenantPage = await browser.context.newPage();
    await signIn(tenantPage, tenantToken, accounts.north.id);
    await tenantPage.getByText(`This token cannot see account "${accounts.north.id}".`).waitFor();

    await signIn(tenantPage, tenantToken, accounts.globex.id);
    await tenantPage.waitForSelector(`.account-page[data-account-id="${accounts.globex.id}"]`);
    await expect(tenantPage.locator('.nav-links').count()).resolves.toBe(0);
    await tenantPage.goto(`${baseUrl()}/#/accounts/${accounts.north.id}`);
    await tenantPage.waitForSelector(`.account-page[data-account-id="${accounts.globex.id}"]`);
    await expect(tenantPage.locator('[data-kpi=available] .kpi-value').innerText()).resolves.toBe(
      '$0.40',
    );
    await tenantPage.close();
  });

  it("reaches every alert and top-up of an account, past the list's first page", async () => {
    // 55 alerts and 55 purchases: more than the 50 a page of admin's lists holds.
    const busy = { id: 'acct_busy', name: 'Busy Ltd' };
    const count = 55;
    const start = Date.now() - count * 60_000;
    await api.createAccount(busy.id, busy.name);
    const messages = Array.from({ length: count }, (_, index) => `busy alert ${index + 1}`);
    await platform.kafka.produceJson(
      platform.topic('alerts.fired'),
      busy.id,
      messages.map((message, index) => ({
        schema_version: 1,
        id: `alert_${randomUUID()}`,
        account_id: busy.id,
        api_key_id: null,
        kind: 'threshold',
        state: 'fired',
        level: 'YELLOW',
        percent: 60,
        period_start: null,
        message,
        at: new Date(start + index * 60_000).toISOString(),
      })),
    );
    const credits = Array.from({ length: count }, (_, index) => `$${index + 1}.00`);
    await platform.kafka.produceJson(
      platform.topic('payments.events'),
      busy.id,
      credits.map((_, index) => ({
        schema_version: 1,
        id: `pay_${randomUUID()}`,
        account_id: busy.id,
        kind: 'credit_purchased',
        trigger: 'manual',
        credit_amount: String(index + 1),
        paid_amount: String((index + 1) * 3),
        paid_currency: 'CHF',
        stripe_ref: `cs_test_${randomBytes(8).toString('hex')}`,
        at: new Date(start + index * 60_000).toISOString(),
      })),
    );
    await eventually(
      async () => {
        const account = `/v1/accounts/${busy.id}`;
        const alerts = await api.call<{ items: unknown[] }>('GET', `${account}/alerts?limit=500`);
        expect(alerts.items).toHaveLength(count);
        const payments = await api.call<{ items: unknown[] }>(
          'GET',
          `${account}/payments?limit=500`,
        );
        expect(payments.items).toHaveLength(count);
      },
      60_000,
      250,
    );

    await page.goto(`${baseUrl()}/#/accounts/${busy.id}`);
    const alertMessages = page.locator('[data-list=alerts] .alert-message');
    await alertMessages.first().waitFor();
    await page.locator('[data-panel=alerts]').getByRole('button', { name: 'Load more' }).click();
    await eventually(async () => expect(await alertMessages.count()).toBe(count));
    expect((await alertMessages.allInnerTexts()).sort()).toEqual([...messages].sort());

    const purchases = page.locator('[data-table=topups] tbody tr[data-kind=purchase]');
    await purchases.first().waitFor({ timeout: 60_000 });
    await page.locator('[data-panel=topups]').getByRole('button', { name: 'Load more' }).click();
    await eventually(async () => expect(await purchases.count()).toBe(count));
    expect((await purchases.locator('[data-cell=credit]').allInnerTexts()).sort()).toEqual(
      [...credits].sort(),
    );
  });

  it('shows no rows of a filter left while its next page was loading', async () => {
    const busy = 'acct_busy';
    await eventually(
      async () => {
        const path = `/v1/accounts/${busy}/transactions?limit=500`;
        expect((await api.call<{ items: unknown[] }>('GET', path)).items).toHaveLength(55);
      },
      60_000,
      250,
    );
    await page.goto(`${baseUrl()}/#/system`);
    await page.goto(`${baseUrl()}/#/accounts/${busy}`);
    await page.locator('[data-table=transactions] tbody tr').first().waitFor();
    await expect(transactionKinds()).resolves.toEqual(Array(50).fill('purchase'));

    // The next page of every kind is held on its way while the operator asks for grants only.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const nextPage = (url: URL) =>
      url.pathname.endsWith(`/accounts/${busy}/transactions`) && url.searchParams.has('cursor');
    await page.route(nextPage, async (route) => {
      await held;
      await route.continue();
    });
    await page
      .locator('[data-panel=transactions]')
      .getByRole('button', { name: 'Load more' })
      .click();
    await page.selectOption('select[name=kind]', 'grant');
    await page.click('form[aria-label="Filter transactions"] button[type=submit]');
    await page.getByText('No transactions match this filter.').waitFor();

    const answered = page.waitForResponse((response) => nextPage(new URL(response.url())));
    release();
    await (await answered).finished();
    // Time for the page to take the late answer in: it must not list it under "grant".
    await page.waitForTimeout(1000);
    await expect(transactionKinds()).resolves.toEqual([]);
    await page.unroute(nextPage);

    // Back to every kind, the list starts over and pages without a gap or a repeat.
    const panel = page.locator('[data-panel=transactions]');
    await panel.getByRole('button', { name: 'Clear' }).click();
    await eventually(async () => expect(await transactionKinds()).toHaveLength(50));
    await panel.getByRole('button', { name: 'Load more' }).click();
    await eventually(async () => expect(await transactionKinds()).toHaveLength(55));
    expect(new Set(await transactionIds()).size).toBe(55);
  });

  it("shows a top-up paid in yen or dinars with its currency's own decimals", async () => {
    const abroad = { id: 'acct_abroad', name: 'Abroad KK' };
    await api.createAccount(abroad.id, abroad.name);
    const paid = [
      ['3000', 'JPY'],
      ['10.01', 'BHD'],
    ] as const;
    await platform.kafka.produceJson(
      platform.topic('payments.events'),
      abroad.id,
      paid.map(([amount, currency], index) => ({
        schema_version: 1,
        id: `pay_${randomUUID()}`,
        account_id: abroad.id,
        kind: 'credit_purchased',
        trigger: 'manual',
        credit_amount: '10',
        paid_amount: amount,
        paid_currency: currency,
        stripe_ref: `cs_test_${randomBytes(8).toString('hex')}`,
        at: new Date(Date.now() - (paid.length - index) * 60_000).toISOString(),
      })),
    );
    await eventually(
      async () => {
        const path = `/v1/accounts/${abroad.id}/payments`;
        expect((await api.call<{ items: unknown[] }>('GET', path)).items).toHaveLength(2);
      },
      60_000,
      250,
    );
    await page.goto(`${baseUrl()}/#/accounts/${abroad.id}`);
    const purchases = page.locator('[data-table=topups] tbody tr[data-kind=purchase]');
    await eventually(async () => expect(await purchases.count()).toBe(paid.length));
    expect((await purchases.locator('[data-cell=paid]').allInnerTexts()).sort()).toEqual([
      '10.010 BHD',
      '3,000 JPY',
    ]);
  });

  /** The rows of the table behind a chart: [label, exact value]. */
  async function chartRows(chart: string): Promise<string[][]> {
    const table = page.locator(`[data-chart=${chart}] table tbody`);
    const labels = await table.locator('th').allTextContents();
    const values = await table.locator('td').allTextContents();
    return labels.map((label, index) => [label, values[index] ?? '']);
  }

  function transactionIds(): Promise<string[]> {
    return page
      .locator('[data-table=transactions] tbody td[data-cell=transaction]')
      .allTextContents();
  }

  function transactionKinds(): Promise<Array<string | null>> {
    return page
      .locator('[data-table=transactions] tbody tr')
      .evaluateAll((rows) => rows.map((tableRow) => tableRow.getAttribute('data-kind')));
  }
});
