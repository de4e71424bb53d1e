import type { BalanceChanged } from '@tally/budget-domain';
import { eventually, isolate, queryDatabase, usageRated } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { BudgetsService } from '../src/budgets/budgets.service';
import { CreditsService } from '../src/credits/credits.service';
import { HoldAnnouncements } from '../src/hold-announcements/hold-announcements.service';
import { LedgerHarness, TestClock } from './ledger.harness';

/** The hold rounds run on their own here, as in production, only more often. */
const ROUND_MS = 200;

describe('a published balance stops counting a hold that ended (ADR 0102)', () => {
  const clock = new TestClock(new Date('2026-12-10T10:00:00Z'));
  const ledger = new LedgerHarness(isolate(), clock, { holdSweepIntervalMs: ROUND_MS });
  let balances: TopicRecorder;

  const announcementsOf = (account: string, apiKeyId: string | null = null) =>
    balances
      .json<BalanceChanged>()
      .filter((balance) => balance.account_id === account && balance.api_key_id === apiKeyId);
  /** Waits for the account's (or key budget's) first announcement newer than `sequence`. */
  const announcementAfter = (account: string, sequence: number, apiKeyId: string | null = null) =>
    eventually(() => {
      const announced = announcementsOf(account, apiKeyId);
      const next = announced.find((balance) => balance.sequence > sequence);
      if (!next)
        throw new Error(
          `no announcement of ${account} after ${sequence} yet; the last says available ${announced.at(-1)?.available}`,
        );
      return next;
    });
  const authorize = async (secret: string, cost: string, ttlSeconds: number) => {
    const response = await ledger.authorize(secret, {
      estimated_cost: cost,
      ttl_seconds: ttlSeconds,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { reservation_id: string }).reservation_id;
  };
  const release = async (secret: string, reservationId: string) =>
    (await ledger.release(secret, reservationId)).status;

  /** An account with 10.00 of credit and a key; its first announcement is the credit's. */
  const accountWithCredit = async (account: string) => {
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    const key = await ledger.createApiKey(account, 'gateway');
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '10.00',
      kind: 'grant',
      reason: 'holds',
      idempotencyKey: `${account}-grant`,
    });
    const credited = await announcementAfter(account, 0);
    expect(credited.available).toBe('10.000000');
    return { key, credited };
  };
  /** Lets the background rounds run a few times. */
  const someRounds = () => new Promise((resolve) => setTimeout(resolve, 5 * ROUND_MS));

  /**
   * An account with 10.00 of credit, a hold of 8.00 and a usage of 0.50 posted while it is live:
   * the usage's announcement subtracts the hold. Returns the key and that announcement.
   */
  const accountHoldingWhileUsageIsPosted = async (account: string, ttlSeconds: number) => {
    const { key } = await accountWithCredit(account);
    const reservationId = await authorize(key.secret, '8.00', ttlSeconds);
    const withHold = await usageAnnouncedWhileHolding(account, key.api_key_id);
    expect(withHold).toMatchObject({
      used: '0.500000',
      extra_credit_remaining: '9.500000',
      available: '1.500000',
      available_percent: 95,
    });
    return { key, reservationId, withHold };
  };
  /** Posts a usage of 0.50 on the key and waits for its announcement. */
  const usageAnnouncedWhileHolding = async (account: string, apiKeyId: string) => {
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '0.500000', { api_key_id: apiKeyId }),
    ]);
    return eventually(() => {
      const posted = announcementsOf(account).find((balance) => balance.cause.kind === 'usage');
      if (!posted) throw new Error(`no announcement of the usage of ${account} yet`);
      return posted;
    });
  };

  beforeAll(async () => {
    await ledger.start();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
  });
  afterAll(() => ledger.stop());

  it('a released hold: a newer balance-changed gives the full available back', async () => {
    const account = 'acct_released';
    const { key, reservationId, withHold } = await accountHoldingWhileUsageIsPosted(account, 300);

    expect(await release(key.secret, reservationId)).toBe(204);

    const released = await announcementAfter(account, withHold.sequence);
    expect(released).toMatchObject({
      account_id: account,
      api_key_id: null,
      used: '0.500000',
      remaining: '0.000000',
      extra_credit_remaining: '9.500000',
      available: '9.500000',
      available_percent: 95,
      alert_level: 'GREEN',
      overage: '0.000000',
      cause: { transaction_id: '', kind: 'holds_changed' },
      at: '2026-12-10T10:00:00.000Z',
    });
    expect(released.sequence).toBeGreaterThan(withHold.sequence);
  });

  it('an expired hold: a newer balance-changed gives the full available back', async () => {
    const account = 'acct_expired';
    const { withHold } = await accountHoldingWhileUsageIsPosted(account, 60);

    clock.set('2026-12-10T10:01:00Z');

    const expired = await announcementAfter(account, withHold.sequence);
    expect(expired).toMatchObject({
      available: '9.500000',
      extra_credit_remaining: '9.500000',
      available_percent: 95,
      cause: { transaction_id: '', kind: 'holds_changed' },
      at: '2026-12-10T10:01:00.000Z',
    });
    expect(expired.sequence).toBeGreaterThan(withHold.sequence);
  });

  it('announces a hold placed since the last announcement, then nothing while nothing changes', async () => {
    const account = 'acct_quiet';
    const { key, credited } = await accountWithCredit(account);
    await authorize(key.secret, '8.00', 300);

    const placed = await announcementAfter(account, credited.sequence);
    expect(placed).toMatchObject({
      extra_credit_remaining: '10.000000',
      available: '2.000000',
      available_percent: 100,
      cause: { transaction_id: '', kind: 'holds_changed' },
    });
    expect(placed.sequence).toBeGreaterThan(credited.sequence);

    const quiet = ['acct_released', 'acct_expired', account];
    const seen = quiet.map((quietAccount) => announcementsOf(quietAccount));
    expect(await ledger.get(HoldAnnouncements).announce()).toBe(0);
    await someRounds();
    expect(quiet.map((quietAccount) => announcementsOf(quietAccount))).toEqual(seen);
  });

  it("a key budget's announcement stops counting its key's released hold too", async () => {
    const account = 'acct_key_budget';
    const { key } = await accountWithCredit(account);
    await ledger.get(BudgetsService).setBudget({
      account_id: account,
      api_key_id: key.api_key_id,
      period: 'none',
      limit: '5.00',
      hard_limit: true,
    });
    const reservationId = await authorize(key.secret, '2.00', 300);
    const withHold = await usageAnnouncedWhileHolding(account, key.api_key_id);
    expect(withHold.available).toBe('7.500000');
    // The key's 4.50 left of its 5.00, less its hold: the account's 7.50 does not cap it.
    expect(await announcementAfter(account, withHold.sequence - 1, key.api_key_id)).toMatchObject({
      sequence: withHold.sequence,
      remaining: '4.500000',
      available: '2.500000',
      available_percent: 90,
    });

    expect(await release(key.secret, reservationId)).toBe(204);

    const released = await announcementAfter(account, withHold.sequence);
    expect(released).toMatchObject({
      available: '9.500000',
      cause: { transaction_id: '', kind: 'holds_changed' },
    });
    expect(await announcementAfter(account, withHold.sequence, key.api_key_id)).toMatchObject({
      sequence: released.sequence,
      allowance: '5.000000',
      used: '0.500000',
      remaining: '4.500000',
      extra_credit_remaining: '0.000000',
      available: '4.500000',
      available_percent: 90,
      cause: { transaction_id: '', kind: 'holds_changed' },
    });
    const seen = [announcementsOf(account), announcementsOf(account, key.api_key_id)];
    await someRounds();
    expect([announcementsOf(account), announcementsOf(account, key.api_key_id)]).toEqual(seen);
  });

  it('announces once an account whose last announcement is not known, as the upgrade marks those that had holds', async () => {
    const account = 'acct_upgraded';
    const { credited } = await accountWithCredit(account);
    await queryDatabase(
      ledger.isolation.databaseUrl,
      `INSERT INTO "${ledger.isolation.schema('ledger')}".announced_holds (account_id, api_key_id, held) VALUES ($1, '', NULL)`,
      [account],
    );

    expect(await announcementAfter(account, credited.sequence)).toMatchObject({
      available: '10.000000',
      cause: { transaction_id: '', kind: 'holds_changed' },
    });
    await someRounds();
    expect(await ledger.get(HoldAnnouncements).announce()).toBe(0);
    expect(announcementsOf(account)).toHaveLength(2);
  });
});
