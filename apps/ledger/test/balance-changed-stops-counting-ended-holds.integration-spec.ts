import type { BalanceChanged } from '@tally/budget-domain';
import { eventually, isolate, usageRated } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { LedgerHarness, TestClock } from './ledger.harness';

/** The hold rounds run on their own here, as in production, only more often. */
const ROUND_MS = 200;

describe('a published balance stops counting a hold that ended (ADR 0102)', () => {
  const clock = new TestClock(new Date('2026-12-10T10:00:00Z'));
  const ledger = new LedgerHarness(isolate(), clock, { holdSweepIntervalMs: ROUND_MS });
  let balances: TopicRecorder;

  const announcementsOf = (account: string) =>
    balances
      .json<BalanceChanged>()
      .filter((balance) => balance.account_id === account && balance.api_key_id === null);
  /** Waits for the account's announcement after the `seen` it already had. */
  const nextAnnouncement = (account: string, seen: number) =>
    eventually(() => {
      const announced = announcementsOf(account);
      const next = announced[seen];
      if (!next)
        throw new Error(
          `no announcement of ${account} after the ${seen} seen yet; the last says available ${announced.at(-1)?.available}`,
        );
      return next;
    });
  const authorize = async (secret: string, cost: string, ttlSeconds: number) => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ estimated_cost: cost, ttl_seconds: ttlSeconds }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { reservation_id: string }).reservation_id;
  };
  const release = async (secret: string, reservationId: string) =>
    (
      await fetch(`${ledger.url}/v1/authorizations/${reservationId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${secret}` },
      })
    ).status;

  /**
   * An account with 10.00 of credit, a hold of 8.00 and a usage of 0.50 posted while it is live:
   * the usage's announcement subtracts the hold. Returns the key and that announcement.
   */
  const accountHoldingWhileUsageIsPosted = async (account: string, ttlSeconds: number) => {
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    const key = await ledger.createApiKey(account, 'gateway');
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '10.00',
      kind: 'grant',
      reason: 'holds',
      idempotencyKey: `${account}-grant`,
    });
    expect((await nextAnnouncement(account, 0)).available).toBe('10.000000');
    const reservationId = await authorize(key.secret, '8.00', ttlSeconds);
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '0.500000', { api_key_id: key.api_key_id }),
    ]);
    const withHold = await nextAnnouncement(account, 1);
    expect(withHold).toMatchObject({
      cause: { kind: 'usage' },
      used: '0.500000',
      extra_credit_remaining: '9.500000',
      available: '1.500000',
      available_percent: 95,
    });
    return { key, reservationId, withHold };
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

    const released = await nextAnnouncement(account, 2);
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

    const expired = await nextAnnouncement(account, 2);
    expect(expired).toMatchObject({
      available: '9.500000',
      extra_credit_remaining: '9.500000',
      available_percent: 95,
      cause: { transaction_id: '', kind: 'holds_changed' },
      at: '2026-12-10T10:01:00.000Z',
    });
    expect(expired.sequence).toBeGreaterThan(withHold.sequence);
  });
});
