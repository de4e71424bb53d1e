import { DataSource } from 'typeorm';
import { eventually, queryDatabase, usageRated } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { HoldSweep } from '../src/holds/hold-sweep.service';
import { HoldsStore } from '../src/holds/holds.store';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness } from './ledger.harness';

describe('held totals per key (ADR 0010) under concurrent endings', () => {
  const ledger = new LedgerHarness();
  const account = 'acct_race';
  const secrets: string[] = [];

  /** A granted hold and the key secret that holds it. */
  const authorize = async (
    secret: string,
    ttlSeconds: number,
  ): Promise<{ secret: string; id: string }> => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ estimated_cost: '0.10', ttl_seconds: ttlSeconds }),
    });
    expect(response.status).toBe(201);
    return { secret, id: ((await response.json()) as { reservation_id: string }).reservation_id };
  };
  const release = async ({ secret, id }: { secret: string; id: string }) =>
    (
      await fetch(`${ledger.url}/v1/authorizations/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${secret}` },
      })
    ).status;
  const query = <T>(sql: string) =>
    queryDatabase<T>(
      ledger.isolation.databaseUrl,
      sql.replaceAll('$schema', `"${ledger.isolation.schema('ledger')}"`),
      [account],
    );

  beforeAll(async () => {
    await ledger.start();
    const accounts = ledger.get(AccountsService);
    await accounts.createAccount({ accountId: account, name: 'Race Ltd' });
    for (const name of ['gateway', 'batch'])
      secrets.push((await ledger.createApiKey(account, name)).secret);
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '100.00',
      kind: 'grant',
      reason: 'race',
      idempotencyKey: 'race-1',
    });
  });
  afterAll(() => ledger.stop());

  it('sweeps, releases, settlements and new holds racing on two keys leave every total exact', async () => {
    const perKey = (count: number, ttlSeconds: number) =>
      Promise.all(
        secrets.flatMap((secret) =>
          Array.from({ length: count }, () => authorize(secret, ttlSeconds)),
        ),
      );
    const short = await perKey(30, 1);
    const long = await perKey(20, 120);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const [toRelease, toSettle] = [
      long.filter((_, i) => i % 2 === 0),
      long.filter((_, i) => i % 2 === 1),
    ];
    const sweeps = Array.from({ length: 4 }, () =>
      ledger
        .get(DataSource)
        .transaction((manager) => ledger.get(HoldsStore).expire(manager, new Date(), 1000)),
    );
    const [swept, expiredReleases, releases, added] = await Promise.all([
      Promise.all(sweeps),
      Promise.all(short.map(release)),
      Promise.all(toRelease.map(release)),
      perKey(10, 120),
      ledger.kafka.produceJson(
        ledger.topic('usage.rated'),
        account,
        toSettle.map(({ id }) => usageRated(account, '0.050000', { reservation_id: id })),
      ),
    ]);

    expect(swept.reduce((sum, n) => sum + n, 0)).toBe(60);
    expect(expiredReleases).toEqual(short.map(() => 404));
    expect(releases).toEqual(toRelease.map(() => 204));
    expect(added).toHaveLength(20);
    await eventually(async () =>
      expect(
        await query<{ settled: number }>(
          `SELECT count(*)::int AS settled FROM $schema.reservations WHERE account_id = $1 AND status = 'settled'`,
        ),
      ).toEqual([{ settled: 20 }]),
    );
    expect(await ledger.get(HoldSweep).sweep()).toBe(0);
    expect(
      await query(
        `SELECT status, count(*)::int AS count, sum(amount)::text AS amount FROM $schema.reservations WHERE account_id = $1 GROUP BY status ORDER BY status`,
      ),
    ).toEqual([
      { status: 'expired', count: 60, amount: '6.000000000000' },
      { status: 'held', count: 20, amount: '2.000000000000' },
      { status: 'released', count: 20, amount: '2.000000000000' },
      { status: 'settled', count: 20, amount: '2.000000000000' },
    ]);
    expect(
      await query(`SELECT held::text FROM $schema.api_keys WHERE account_id = $1 ORDER BY held`),
    ).toEqual([{ held: '1.000000000000' }, { held: '1.000000000000' }]);
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({
      ok: true,
      mismatches: [],
    });
  });

  it('sweeps batch after batch until no expired hold is left', async () => {
    const expiring = await Promise.all(
      Array.from({ length: 250 }, (_, i) => authorize(secrets[i % 2] ?? '', 1)),
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await ledger.get(HoldSweep).sweep()).toBe(expiring.length);
    expect(
      await query(
        `SELECT count(*)::int AS count FROM $schema.reservations WHERE account_id = $1 AND status = 'expired'`,
      ),
    ).toEqual([{ count: 60 + expiring.length }]);
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });
});
