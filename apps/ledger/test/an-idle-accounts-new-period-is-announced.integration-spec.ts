import type { BalanceChanged } from '@tally/budget-domain';
import { eventually, isolate, queryDatabase, usageRated } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { MessagingService } from '@tally/messaging';
import { AccountsService } from '../src/accounts/accounts.service';
import { Books } from '../src/books/books.service';
import { BudgetsService } from '../src/budgets/budgets.service';
import { HoldAnnouncements } from '../src/hold-announcements/hold-announcements.service';
import { LedgerHarness, TestClock } from './ledger.harness';

/**
 * A period ends with time, not with a message: an account that spends nothing after its
 * budget's period ended still has its reset posted and its new period announced by the ledger's
 * rounds, so that admin, alerting and top-up stop showing the old period's figures.
 */
describe("an idle account's new period is announced when the old one ends", () => {
  const clock = new TestClock(new Date('2026-11-30T20:00:00Z'));
  const ledger = new LedgerHarness(isolate(), clock);
  let balances: TopicRecorder;

  const announcementsOf = (account: string, apiKeyId: string | null = null) =>
    balances
      .json<BalanceChanged>()
      .filter((balance) => balance.account_id === account && balance.api_key_id === apiKeyId);
  const announcementAfter = (
    account: string,
    sequence: number,
    apiKeyId: string | null = null,
    timeoutMs = 15_000,
  ) =>
    eventually(() => {
      const next = announcementsOf(account, apiKeyId).find(
        (balance) => balance.sequence > sequence,
      );
      if (!next) throw new Error(`no announcement of ${account} after ${sequence}`);
      return next;
    }, timeoutMs);
  const resets = (account: string) =>
    queryDatabase<{ kind: string; source_id: string; amount: string }>(
      ledger.isolation.databaseUrl,
      `SELECT t.kind, t.source_id, p.amount::text AS amount
       FROM "${ledger.isolation.schema('ledger')}".transactions AS t
       JOIN "${ledger.isolation.schema('ledger')}".postings AS p
         ON p.account_id = t.account_id AND p.transaction_id = t.transaction_id AND p.ledger_code = 'allowance'
       WHERE t.account_id = $1 AND t.kind IN ('allowance_issue', 'allowance_expiry')
       ORDER BY t.posted_at, t.kind`,
      [account],
    );
  /** Posts a usage and answers the announcement of its posting. */
  const spend = async (account: string, apiKeyId: string, cost: string) => {
    const before = announcementsOf(account).filter((b) => b.cause.kind === 'usage').length;
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, cost, { api_key_id: apiKeyId }),
    ]);
    return eventually(() => {
      const posted = announcementsOf(account).filter((b) => b.cause.kind === 'usage')[before];
      if (!posted) throw new Error(`the usage of ${account} is not announced yet`);
      return posted;
    });
  };

  beforeAll(async () => {
    await ledger.start();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
  });
  afterAll(() => ledger.stop());

  it('a monthly budget at RED on Nov 30 is announced GREEN in December, its rollover posted once', async () => {
    const account = 'acct_idle_month';
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    const key = await ledger.createApiKey(account, 'gateway');
    await ledger.get(BudgetsService).setBudget({
      account_id: account,
      period: 'monthly',
      reset_day: 1,
      limit: '10.00',
      hard_limit: true,
      rollover_max_percent: '50',
    });
    const november = await spend(account, key.api_key_id, '9.500000');
    expect(november).toMatchObject({
      period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
      used: '9.500000',
      remaining: '0.500000',
      alert_level: 'RED',
    });

    // Five seconds into December; the account spends nothing.
    clock.set('2026-12-01T00:00:05Z');
    await ledger.get(HoldAnnouncements).announce();

    const december = await announcementAfter(account, november.sequence);
    expect(december).toMatchObject({
      period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
      allowance: '10.500000',
      used: '0.000000',
      remaining: '10.500000',
      available: '10.500000',
      available_percent: 100,
      alert_level: 'GREEN',
      over_soft_limit: false,
      overage: '0.000000',
      cause: { kind: 'allowance_issue' },
      at: '2026-12-01T00:00:05.000Z',
    });

    // Another round (or a usage) in December posts no second reset.
    clock.set('2026-12-01T00:10:00Z');
    await ledger.get(HoldAnnouncements).announce();
    await spend(account, key.api_key_id, '0.500000');
    expect(await resets(account)).toEqual([
      {
        kind: 'allowance_issue',
        source_id: 'period:2026-11-01T00:00:00.000Z',
        amount: '10.000000000000',
      },
      {
        kind: 'allowance_issue',
        source_id: 'period:2026-12-01T00:00:00.000Z',
        amount: '10.000000000000',
      },
    ]);
    const decemberIssues = announcementsOf(account).filter(
      (b) => b.cause.kind === 'allowance_issue' && b.period.start === '2026-12-01T00:00:00.000Z',
    );
    expect(decemberIssues).toHaveLength(1);
  });

  it("a key's daily budget, the account having none, is announced at its new day", async () => {
    const account = 'acct_idle_key_day';
    clock.set('2026-12-01T22:00:00Z');
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    const key = await ledger.createApiKey(account, 'gateway');
    await ledger.get(BudgetsService).setBudget({
      account_id: account,
      api_key_id: key.api_key_id,
      period: 'daily',
      limit: '2.00',
      hard_limit: true,
    });
    await spend(account, key.api_key_id, '1.900000');
    const spent = await announcementAfter(account, 0, key.api_key_id);
    expect(spent).toMatchObject({ used: '1.900000', remaining: '0.100000', alert_level: 'RED' });

    clock.set('2026-12-02T00:00:01Z');
    await ledger.get(HoldAnnouncements).announce();

    const nextDay = await announcementAfter(account, spent.sequence, key.api_key_id);
    expect(nextDay).toMatchObject({
      period: { start: '2026-12-02T00:00:00.000Z', end: '2026-12-03T00:00:00.000Z' },
      used: '0.000000',
      remaining: '2.000000',
      alert_level: 'GREEN',
      cause: { transaction_id: '', kind: 'period_started' },
    });
  });

  it('rounds of several instances at the boundary post the reset once and announce it once', async () => {
    const account = 'acct_idle_race';
    clock.set('2026-12-20T10:00:00Z');
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    await ledger.get(BudgetsService).setBudget({
      account_id: account,
      period: 'monthly',
      reset_day: 1,
      limit: '10.00',
      hard_limit: true,
      rollover_max_percent: '100',
    });
    const set = await announcementAfter(account, 0);

    // Four rounds found the account due at once, as four instances' rounds would.
    const now = new Date('2027-01-01T00:00:02Z');
    clock.set(now.toISOString());
    const messaging = ledger.get(MessagingService);
    const books = ledger.get(Books);
    await Promise.all(
      Array.from({ length: 4 }, () =>
        messaging.transaction((tx) => books.startPeriods(tx, [account], now)),
      ),
    );
    await ledger.get(HoldAnnouncements).announce();

    const january = await announcementAfter(account, set.sequence);
    expect(january).toMatchObject({
      period: { start: '2027-01-01T00:00:00.000Z', end: '2027-02-01T00:00:00.000Z' },
      allowance: '20.000000',
      remaining: '20.000000',
    });
    // Give any duplicate time to show.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await resets(account)).map((reset) => reset.source_id)).toEqual([
      'period:2026-12-01T00:00:00.000Z',
      'period:2027-01-01T00:00:00.000Z',
    ]);
    expect(
      announcementsOf(account).filter((b) => b.period.start === '2027-01-01T00:00:00.000Z'),
    ).toHaveLength(1);
  });
});
