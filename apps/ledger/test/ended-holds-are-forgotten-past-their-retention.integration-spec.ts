import { Client } from 'pg';
import { eventually, isolate, queryDatabase, usageRated } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { HoldSweep } from '../src/holds/hold-sweep.service';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness, TestClock } from './ledger.harness';

/**
 * Every authorization leaves a reservation row; one that ended (settled, released, expired)
 * holds nothing and only answers a repeat of its request id. It is deleted once it expired
 * more than LEDGER_HOLD_RETENTION_DAYS ago (ADR 0136); a hold still in status held never is.
 */
describe('ended holds are forgotten past their retention (ADR 0136)', () => {
  const account = 'acct_holds_kept';
  const clock = new TestClock(new Date('2026-11-02T10:00:00Z'));
  const ledger = new LedgerHarness(isolate(), clock, { holdRetentionDays: 7 });
  let secret: string;
  let apiKeyId: string;

  const hold = async (ttlSeconds: number, requestId?: string) => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        estimated_cost: '0.10',
        ttl_seconds: ttlSeconds,
        ...(requestId ? { request_id: requestId } : {}),
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { reservation_id: string }).reservation_id;
  };
  const release = async (reservationId: string) =>
    expect(
      (
        await fetch(`${ledger.url}/v1/authorizations/${reservationId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${secret}` },
        })
      ).status,
    ).toBe(204);
  const byStatus = () =>
    queryDatabase<{ status: string; count: number }>(
      ledger.isolation.databaseUrl,
      `SELECT status, count(*)::int AS count FROM "${ledger.isolation.schema('ledger')}".reservations
       WHERE account_id = $1 GROUP BY status ORDER BY status`,
      [account],
    );

  beforeAll(async () => {
    await ledger.start();
    await ledger.get(AccountsService).createAccount({ accountId: account, name: 'Kept Ltd' });
    ({ secret, api_key_id: apiKeyId } = await ledger.createApiKey(account, 'gateway'));
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '100.00',
      kind: 'grant',
      reason: 'holds',
      idempotencyKey: 'holds-1',
    });
  });
  afterAll(() => ledger.stop());

  it('deletes the 7 holds that ended more than 7 days ago and keeps the 2 younger and the 2 never swept', async () => {
    for (const id of [await hold(600), await hold(600), await hold(600)]) await release(id);
    const settled = [await hold(600), await hold(600)];
    await ledger.kafka.produceJson(
      ledger.topic('usage.rated'),
      account,
      settled.map((id) =>
        usageRated(account, '0.050000', {
          reservation_id: id,
          api_key_id: apiKeyId,
          occurred_at: '2026-11-02T10:00:00Z',
        }),
      ),
    );
    await hold(60);
    await hold(60);
    await eventually(async () =>
      expect(await byStatus()).toEqual([
        { status: 'held', count: 2 },
        { status: 'released', count: 3 },
        { status: 'settled', count: 2 },
      ]),
    );
    clock.set('2026-11-02T10:05:00Z');
    expect(await ledger.get(HoldSweep).sweep()).toBe(2);
    // Held and never swept: its expiry already freed its funds; the sweep, not retention, ends it.
    await hold(60);
    await hold(60);
    clock.set('2026-11-06T10:00:00Z');
    for (const id of [await hold(600, 'r-younger-1'), await hold(600, 'r-younger-2')])
      await release(id);

    clock.set('2026-11-09T11:00:00Z');
    expect(await ledger.get(HoldSweep).forgetEnded()).toBe(7);

    expect(await byStatus()).toEqual([
      { status: 'held', count: 2 },
      { status: 'released', count: 2 },
    ]);
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({
      ok: true,
      mismatches: [],
    });
  }, 60_000);

  it('lets one instance at a time delete: another finds the retention running and deletes nothing', async () => {
    clock.set('2026-11-10T10:00:00Z');
    for (const id of [await hold(600), await hold(600)]) await release(id);
    clock.set('2026-11-20T10:00:00Z');
    const otherInstance = new Client({ connectionString: ledger.isolation.databaseUrl });
    await otherInstance.connect();
    try {
      await otherInstance.query('BEGIN');
      await otherInstance.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `tally.hold-retention.${ledger.isolation.schema('ledger')}`,
      ]);
      expect(await ledger.get(HoldSweep).forgetEnded()).toBe(0);
      await otherInstance.query('COMMIT');
    } finally {
      await otherInstance.end();
    }
    expect(await byStatus()).toEqual([
      { status: 'held', count: 2 },
      { status: 'released', count: 4 },
    ]);

    expect(await ledger.get(HoldSweep).forgetEnded()).toBe(4);
    expect(await byStatus()).toEqual([{ status: 'held', count: 2 }]);
  }, 60_000);
});
