import type { BalanceChanged } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { eventually, queryDatabase, usageRated } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { DataSource } from 'typeorm';
import { AccountsService } from '../src/accounts/accounts.service';
import { BalancesService } from '../src/balances/balances.service';
import { Books } from '../src/books/books.service';
import { CreditsService } from '../src/credits/credits.service';
import { HoldAnnouncements } from '../src/hold-announcements/hold-announcements.service';
import { HoldsStore } from '../src/holds/holds.store';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness } from './ledger.harness';

/** Waves of releases, settlements, holds, credits and sweeps, started 100 ms apart. */
const WAVES = 6;

describe('hold announcements (ADR 0102) racing postings, releases, sweeps and holds', () => {
  const ledger = new LedgerHarness();
  /** Every transaction of the ledger's that PostgreSQL ended as a deadlock's victim, the consumer's included (it would retry). */
  const deadlocks: unknown[] = [];
  const accounts = ['acct_round_a', 'acct_round_b', 'acct_round_c'];
  const secrets = new Map<string, Array<{ api_key_id: string; secret: string }>>();
  let balances: TopicRecorder;

  const authorize = async (secret: string, ttlSeconds: number) => {
    const response = await ledger.authorize(secret, {
      estimated_cost: '0.10',
      ttl_seconds: ttlSeconds,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { reservation_id: string }).reservation_id;
  };
  const release = async (secret: string, reservationId: string) =>
    (await ledger.release(secret, reservationId)).status;
  /** Holds of every key of every account: `count` each. */
  const holdsOfEveryKey = (count: number, ttlSeconds: number) =>
    Promise.all(
      accounts.flatMap((account) =>
        (secrets.get(account) ?? []).flatMap((key) =>
          Array.from({ length: count }, async () => ({
            account,
            key,
            reservationId: await authorize(key.secret, ttlSeconds),
          })),
        ),
      ),
    );
  const announcementsOf = (account: string) =>
    balances
      .json<BalanceChanged>()
      .filter((balance) => balance.account_id === account && balance.api_key_id === null);
  const query = <T>(sql: string) =>
    queryDatabase<T>(
      ledger.isolation.databaseUrl,
      sql.replaceAll('$schema', `"${ledger.isolation.schema('ledger')}"`),
      [accounts],
    );

  beforeAll(async () => {
    await ledger.start();
    const dataSource = ledger.get(DataSource);
    const transaction = dataSource.transaction.bind(dataSource) as (
      ...args: unknown[]
    ) => Promise<unknown>;
    dataSource.transaction = ((...args: unknown[]) =>
      transaction(...args).catch((error: unknown) => {
        if (sqlStateOf(error) === '40P01') deadlocks.push(error);
        throw error;
      })) as DataSource['transaction'];
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
    for (const account of accounts) {
      await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
      secrets.set(account, [
        await ledger.createApiKey(account, 'gateway'),
        await ledger.createApiKey(account, 'batch'),
      ]);
      await ledger.get(CreditsService).grant({
        accountId: account,
        amount: '100.00',
        kind: 'grant',
        reason: 'race',
        idempotencyKey: `${account}-grant`,
      });
    }
  });
  afterAll(() => ledger.stop());

  it('every operation completes, every announcement is newer, and the last one is exact', async () => {
    const long = await holdsOfEveryKey(12, 120);
    await ledger.kafka.produceJson(
      ledger.topic('usage.rated'),
      accounts[0] ?? '',
      accounts.map((account) => usageRated(account, '0.500000')),
    );
    // Each usage's announcement subtracts the account's 2.40 of long holds.
    await eventually(() =>
      accounts.forEach((account) =>
        expect(announcementsOf(account).at(-1)).toMatchObject({ available: '97.100000' }),
      ),
    );
    const short = await holdsOfEveryKey(8, 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // Of each key's 12 long holds, 6 are released and 6 settled by usage of 0.05, in six waves
    // that overlap one another, the consumer's slices and the rounds.
    const toRelease = long.filter((_, index) => index % 2 === 0);
    const toSettle = long.filter((_, index) => index % 2 === 1);
    const inWave = <T>(items: readonly T[], wave: number) =>
      items.filter((_, index) => Math.floor(index / 2) % WAVES === wave);
    let racing = true;
    /** Rounds of this instance, and of two others (Books.announceHolds in their transactions), until the race ends. */
    const rounds = async () => {
      let announced = 0;
      while (racing) {
        const [here, ...elsewhere] = await Promise.all([
          ledger.get(HoldAnnouncements).announce(),
          ...[0, 1].map(() =>
            ledger
              .get(MessagingService)
              .transaction((tx) => ledger.get(Books).announceHolds(tx, accounts, new Date())),
          ),
        ]);
        announced += here + elsewhere.reduce((sum, stale) => sum + stale.length, 0);
      }
      return announced;
    };
    const wave = async (wave: number) => {
      await new Promise((resolve) => setTimeout(resolve, wave * 100));
      const [released] = await Promise.all([
        Promise.all(
          inWave(toRelease, wave).map(({ key, reservationId }) =>
            release(key.secret, reservationId),
          ),
        ),
        ...accounts.map((account) =>
          ledger.kafka.produceJson(
            ledger.topic('usage.rated'),
            account,
            inWave(toSettle, wave)
              .filter((hold) => hold.account === account)
              .map(({ key, reservationId }) =>
                usageRated(account, '0.050000', {
                  api_key_id: key.api_key_id,
                  reservation_id: reservationId,
                }),
              ),
          ),
        ),
        wave < 2 ? holdsOfEveryKey(1, 120) : [],
        ...(wave < 3
          ? accounts.map((account) =>
              ledger.get(CreditsService).grant({
                accountId: account,
                amount: '1.00',
                kind: 'grant',
                reason: 'race',
                idempotencyKey: `${account}-race-${wave}`,
              }),
            )
          : []),
        ledger
          .get(DataSource)
          .transaction((manager) => ledger.get(HoldsStore).expire(manager, new Date(), 1000)),
      ]);
      return released;
    };
    const racingRounds = rounds();
    const [released, expiredReleases] = await Promise.all([
      Promise.all(Array.from({ length: WAVES }, (_, n) => wave(n))).then((waves) => waves.flat()),
      Promise.all(short.map(({ key, reservationId }) => release(key.secret, reservationId))),
    ]);
    await eventually(async () =>
      expect(
        await query(
          `SELECT account_id, count(*)::int AS settled FROM $schema.reservations
           WHERE account_id = ANY($1) AND status = 'settled' GROUP BY account_id ORDER BY account_id`,
        ),
      ).toEqual(accounts.map((account) => ({ account_id: account, settled: 12 }))),
    );
    racing = false;
    expect(await racingRounds).toBeGreaterThan(0);
    expect(released).toHaveLength(toRelease.length);
    expect(released).toEqual(toRelease.map(() => 204));
    expect(expiredReleases).toEqual(short.map(() => 404));
    expect(deadlocks).toEqual([]);

    // Whatever the last posting subtracted, a round leaves every account's published state
    // exact: 103.00 of credit, 0.50 + 12 × 0.05 used, the 4 new holds of 0.10 live.
    await ledger.get(HoldAnnouncements).announce();
    await eventually(() =>
      accounts.forEach((account) => {
        const announced = announcementsOf(account);
        const last = announced.reduce((newest, record) =>
          record.sequence > newest.sequence ? record : newest,
        );
        expect(announced.at(-1)).toBe(last);
        expect(last).toMatchObject({
          used: '1.100000',
          extra_credit_remaining: '101.900000',
          available: '101.500000',
          available_percent: 99,
        });
      }),
    );
    for (const account of accounts) {
      const sequences = announcementsOf(account).map((record) => record.sequence);
      expect(sequences).toEqual([...new Set(sequences)].sort((a, b) => a - b));
      expect(await ledger.get(BalancesService).status(account, null)).toMatchObject({
        available: '101.500000',
      });
    }

    const seen = accounts.map((account) => announcementsOf(account).length);
    expect(await ledger.get(HoldAnnouncements).announce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(accounts.map((account) => announcementsOf(account).length)).toEqual(seen);
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({
      ok: true,
      mismatches: [],
    });
  });
});

function sqlStateOf(error: unknown): string | undefined {
  const failed = error as { code?: string; driverError?: { code?: string } };
  return failed.code ?? failed.driverError?.code;
}
