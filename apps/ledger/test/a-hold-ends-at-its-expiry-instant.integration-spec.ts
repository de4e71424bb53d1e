import { eventually, queryDatabase, usageRated } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { HoldSweep } from '../src/holds/hold-sweep.service';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness, TestClock } from './ledger.harness';

type Status = Record<string, unknown>;

/**
 * A hold is `[placed, expires_at)`: one millisecond before `expires_at` it still holds and usage
 * naming it settles it; at `expires_at` it holds nothing, no release or usage ends it, and the
 * sweep of that instant marks it expired. Every path reads the same edge.
 */
describe('a hold ends at its expiry instant, on every path', () => {
  const clock = new TestClock(new Date('2026-12-31T23:58:00Z'));
  const ledger = new LedgerHarness(undefined, clock);
  const account = 'acct_hold_edge';
  let key: { api_key_id: string; secret: string };

  const authorize = async (cost: string, ttlSeconds: number) => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ estimated_cost: cost, ttl_seconds: ttlSeconds }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { reservation_id: string; expires_at: string };
  };
  const release = async (reservationId: string) =>
    (
      await fetch(`${ledger.url}/v1/authorizations/${reservationId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${key.secret}` },
      })
    ).status;
  const available = async () =>
    (
      await (
        await ledger.commands()
      ).send<Status>('ledger.budget-status', { account_id: account, api_key_id: null })
    )['available'];
  const reservation = async (reservationId: string) =>
    (
      await queryDatabase<{ status: string; settled_cost: string | null }>(
        ledger.isolation.databaseUrl,
        `SELECT status, settled_cost::text AS settled_cost FROM "${ledger.isolation.schema('ledger')}".reservations WHERE reservation_id = $1`,
        [reservationId],
      )
    )[0];
  const usageLines = async () => {
    const [{ count }] = (await queryDatabase<{ count: number }>(
      ledger.isolation.databaseUrl,
      `SELECT count(*)::int AS count FROM "${ledger.isolation.schema('ledger')}".usage_lines WHERE account_id = $1`,
      [account],
    )) as [{ count: number }];
    return count;
  };
  const postUsage = async (cost: string, reservationId: string) => {
    const before = await usageLines();
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, cost, { api_key_id: key.api_key_id, reservation_id: reservationId }),
    ]);
    await eventually(async () => expect(await usageLines()).toBe(before + 1));
  };

  beforeAll(async () => {
    await ledger.start();
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    key = await ledger.createApiKey(account, 'gateway');
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '10.00',
      kind: 'grant',
      reason: 'holds at their edge',
      idempotencyKey: `${account}-grant`,
    });
  });
  afterAll(() => ledger.stop());

  it('settles one millisecond before expires_at; at expires_at the hold is gone for status, release, settlement and sweep', async () => {
    const first = await authorize('4.00', 60);
    const second = await authorize('3.00', 120);
    expect([first.expires_at, second.expires_at]).toEqual([
      '2026-12-31T23:59:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(await available()).toBe('3.000000');

    clock.set('2026-12-31T23:58:59.999Z');
    await postUsage('1.000000', first.reservation_id);
    expect(await reservation(first.reservation_id)).toEqual({
      status: 'settled',
      settled_cost: '1.000000000000',
    });
    // 10 − 1 posted − 3 still held.
    expect(await available()).toBe('6.000000');

    // The second hold's last millisecond: it still holds, and the sweep leaves it...
    clock.set('2026-12-31T23:59:59.999Z');
    expect(await available()).toBe('6.000000');
    expect(await ledger.get(HoldSweep).sweep()).toBe(0);

    // ...and at its expiry instant, which is also the new year, it holds nothing.
    clock.set('2027-01-01T00:00:00.000Z');
    expect(await available()).toBe('9.000000');
    expect(await release(second.reservation_id)).toBe(404);
    await postUsage('0.500000', second.reservation_id);
    expect(await reservation(second.reservation_id)).toEqual({
      status: 'held',
      settled_cost: null,
    });
    expect(await available()).toBe('8.500000');
    expect(await ledger.get(HoldSweep).sweep()).toBe(1);
    expect(await reservation(second.reservation_id)).toEqual({
      status: 'expired',
      settled_cost: null,
    });
    expect(await available()).toBe('8.500000');
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });
});
