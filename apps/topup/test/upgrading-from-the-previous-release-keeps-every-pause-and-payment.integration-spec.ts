import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource, runMigrations } from '@tally/persistence';
import { dropSchemas, isolate } from '@tally/testing';
import { AutoTopUpSettingsStore } from '../src/auto-topup-status/auto-topup-settings.store';
import { EntriesStore } from '../src/entries/entries.store';
import { APauseNamesTheChargeThatFailed1765166400000 } from '../src/migrations/1765166400000-a-pause-names-the-charge-that-failed.migration';
import { TOPUP_MIGRATIONS } from '../src/migrations/topup.migrations';

/**
 * A populated top-up schema of the previous release (33d2b4b, before ADR 0145) upgraded to
 * this one during a rolling deploy: every payment keeps its amounts and state, every pause
 * gets the failed charge that made it, and the statements old instances still run after the
 * migration (their pause and their clearing of a pause, copied from 33d2b4b) neither make a
 * late success lift a pause it did not cause nor keep one it did.
 */
describe('upgrading top-up from the previous release', () => {
  const isolation = isolate();
  const schema = isolation.schema('topup');
  const rolled = isolation.schema('topup_rolled');
  const sources: DataSource[] = [];
  const previous = TOPUP_MIGRATIONS.slice(
    0,
    TOPUP_MIGRATIONS.indexOf(APauseNamesTheChargeThatFailed1765166400000),
  );

  const open = async (migrations: typeof TOPUP_MIGRATIONS, into = schema): Promise<DataSource> => {
    const dataSource = createDataSource({
      config: { url: isolation.databaseUrl, schema: into, poolSize: 2 },
      applicationName: 'topup-upgrade-test',
      migrations,
    });
    await dataSource.initialize();
    sources.push(dataSource);
    return dataSource;
  };
  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await dropSchemas(isolation.databaseUrl, [schema, rolled]);
  });

  const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute, 0, 123));

  // What the previous release ran (33d2b4b's AutoTopUpSettingsStore and EntriesStore).
  const old = {
    settings: (m: EntityManager, account: string) =>
      m.query(
        `INSERT INTO auto_topup_settings (account_id, enabled, amount_paid, paid_currency,
           trigger_below_percent, monthly_limit, stripe_customer_id, stripe_payment_method_id)
         VALUES ($1, true, '30.000000', 'CHF', '5', '100.5', 'cus_1', 'pm_1')`,
        [account],
      ),
    entry: (
      m: EntityManager,
      account: string,
      e: { trigger: string; status: string; kind: string; credit: string; settled?: Date },
    ) =>
      m
        .query(
          `INSERT INTO topup_entries (account_id, entry_id, kind, trigger, status, credit_amount,
             paid_amount, paid_currency, decision_id, created_at, settled_at, credited_at)
           VALUES ($1, $2, $3, $4, $5, $6, '30.000000', 'CHF', $7, $8, $9, $10) RETURNING entry_id::text`,
          [
            account,
            randomUUID(),
            e.kind,
            e.trigger,
            e.status,
            e.credit,
            e.trigger === 'auto' ? `dec_${randomUUID()}` : null,
            at(0),
            e.settled ?? null,
            e.status === 'succeeded' ? (e.settled ?? null) : null,
          ],
        )
        .then(([row]: Array<{ entry_id: string }>) => row.entry_id),
    pending: (m: EntityManager, account: string) =>
      old.entry(m, account, {
        trigger: 'auto',
        status: 'pending',
        kind: 'auto_purchase',
        credit: '10.000000',
      }),
    markFailed: (
      m: EntityManager,
      account: string,
      entryId: string,
      failureCode: string,
      when: Date,
    ) =>
      m.query(
        `UPDATE topup_entries SET status = 'failed', kind = 'failed', failure_code = $3,
           settled_at = $4, next_charge_at = NULL
         WHERE account_id = $1 AND entry_id = $2 AND status IN ('open', 'pending') RETURNING entry_id`,
        [account, entryId, failureCode, when],
      ),
    pause: (m: EntityManager, account: string, reason: string, when: Date) =>
      m.query(
        `UPDATE auto_topup_settings SET paused_at = $3, pause_reason = $2, updated_at = now() WHERE account_id = $1`,
        [account, reason, when],
      ),
    /** A failed automatic charge as the old SettlementService.fail recorded it: failed, then paused. */
    fail: async (
      m: EntityManager,
      account: string,
      entryId: string,
      reason: string,
      when: Date,
    ) => {
      await old.markFailed(m, account, entryId, reason, when);
      await old.pause(m, account, reason, when);
    },
    saveMethod: (m: EntityManager, account: string) =>
      m.query(
        `UPDATE auto_topup_settings SET stripe_customer_id = $2, stripe_payment_method_id = $3,
           enabled = enabled OR $4, paused_at = NULL, pause_reason = NULL, updated_at = now()
         WHERE account_id = $1`,
        [account, 'cus_1', 'pm_2', false],
      ),
  };

  /** What this release runs when Stripe reports a charge recorded failed succeeded (SettlementService.credit). */
  const creditLate = (dataSource: DataSource, account: string, entryId: string) =>
    dataSource.transaction(async (m) => {
      const entry = await new EntriesStore().lock(m, { accountId: account, entryId });
      if (!entry) throw new Error(`no entry ${entryId}`);
      expect(await new EntriesStore().markCredited(m, entry, at(59))).toBe(true);
      return new AutoTopUpSettingsStore().liftPauseOf(m, entry);
    });

  const pauseOf = async (dataSource: DataSource, account: string) => {
    const [row] = (await dataSource.query(
      `SELECT paused_at, pause_reason, paused_by_entry::text AS paused_by_entry
       FROM auto_topup_settings WHERE account_id = $1`,
      [account],
    )) as Array<{
      paused_at: Date | null;
      pause_reason: string | null;
      paused_by_entry: string | null;
    }>;
    return row && { ...row, paused_at: row.paused_at?.toISOString() ?? null };
  };

  /** Every column of every row, as text: amounts exactly as stored. */
  const everyRow = (dataSource: DataSource, table: string) =>
    dataSource.query(
      `SELECT (to_jsonb(t) - 'paused_by_entry')::text AS row FROM ${table} t ORDER BY 1`,
    ) as Promise<Array<{ row: string }>>;

  let upgraded: DataSource;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const before = await open(previous);
    await runMigrations(before);
    await before.transaction(async (m) => {
      // Paused by its failed automatic charge; a manual payment failed at the same instant.
      await old.settings(m, 'acct_paused');
      await old.entry(m, 'acct_paused', {
        trigger: 'auto',
        status: 'succeeded',
        kind: 'auto_purchase',
        credit: '10.000000',
        settled: at(1),
      });
      ids['paused'] = await old.pending(m, 'acct_paused');
      await old.fail(m, 'acct_paused', ids['paused'], 'authentication_required', at(2));
      await old.entry(m, 'acct_paused', {
        trigger: 'manual',
        status: 'failed',
        kind: 'failed',
        credit: '0',
        settled: at(2),
      });
      // A failure whose pause a saved card ended.
      await old.settings(m, 'acct_resumed');
      ids['resumed'] = await old.pending(m, 'acct_resumed');
      await old.fail(m, 'acct_resumed', ids['resumed'], 'card_declined', at(3));
      await old.saveMethod(m, 'acct_resumed');
      // Two failures, the second's pause standing.
      await old.settings(m, 'acct_twice');
      ids['twice_first'] = await old.pending(m, 'acct_twice');
      await old.fail(m, 'acct_twice', ids['twice_first'], 'card_declined', at(4));
      await old.saveMethod(m, 'acct_twice');
      ids['twice_second'] = await old.pending(m, 'acct_twice');
      await old.fail(m, 'acct_twice', ids['twice_second'], 'expired_card', at(5));
      // Accounts for the old instances still running after the migration.
      await old.settings(m, 'acct_repaused_by_old');
      await old.settings(m, 'acct_paused_by_old');
      ids['refund_of'] = await old.entry(m, 'acct_refunded', {
        trigger: 'manual',
        status: 'succeeded',
        kind: 'purchase',
        credit: '1234.567891234567',
        settled: at(6),
      });
    });
    const settingsBefore = await everyRow(before, 'auto_topup_settings');
    const entriesBefore = await everyRow(before, 'topup_entries');

    upgraded = await open(TOPUP_MIGRATIONS);
    expect(await runMigrations(upgraded)).toEqual(['APauseNamesTheChargeThatFailed1765166400000']);
    expect(await everyRow(upgraded, 'auto_topup_settings')).toEqual(settingsBefore);
    expect(await everyRow(upgraded, 'topup_entries')).toEqual(entriesBefore);
  });

  it('every pause is given the failed automatic charge made at its time, and nothing else changes', async () => {
    expect(await pauseOf(upgraded, 'acct_paused')).toEqual({
      paused_at: '2026-12-01T10:02:00.123Z',
      pause_reason: 'authentication_required',
      paused_by_entry: ids['paused'],
    });
    expect(await pauseOf(upgraded, 'acct_resumed')).toEqual({
      paused_at: null,
      pause_reason: null,
      paused_by_entry: null,
    });
    expect(await pauseOf(upgraded, 'acct_twice')).toEqual({
      paused_at: '2026-12-01T10:05:00.123Z',
      pause_reason: 'expired_card',
      paused_by_entry: ids['twice_second'],
    });
    const [refunded] = (await upgraded.query(
      `SELECT credit_amount::text AS credit, paid_amount::text AS paid, status FROM topup_entries WHERE entry_id = $1`,
      [ids['refund_of']],
    )) as unknown[];
    expect(refunded).toEqual({
      credit: '1234.567891234567',
      paid: '30.000000000000',
      status: 'succeeded',
    });
  });

  it('a migrated pause is lifted by its own charge succeeding late, not by an earlier one', async () => {
    expect(await creditLate(upgraded, 'acct_twice', ids['twice_first'])).toBe(false);
    expect((await pauseOf(upgraded, 'acct_twice'))?.pause_reason).toBe('expired_card');
    expect(await creditLate(upgraded, 'acct_twice', ids['twice_second'])).toBe(true);
    expect(await pauseOf(upgraded, 'acct_twice')).toEqual({
      paused_at: null,
      pause_reason: null,
      paused_by_entry: null,
    });
  });

  it('an old instance ends a pause and pauses for a later failure: the earlier charge succeeding late leaves that pause', async () => {
    const account = 'acct_repaused_by_old';
    const first = await upgraded.transaction((m) => old.pending(m, account));
    // This release's instance records the first failure and its pause.
    await upgraded.transaction(async (m) => {
      await old.markFailed(m, account, first, 'authentication_required', at(10));
      await new AutoTopUpSettingsStore().pause(
        m,
        { accountId: account, entryId: first },
        'authentication_required',
        at(10),
      );
    });
    // An old instance takes the tenant's new card, charges again, and that charge is declined.
    await upgraded.transaction((m) => old.saveMethod(m, account));
    const second = await upgraded.transaction((m) => old.pending(m, account));
    await upgraded.transaction((m) => old.fail(m, account, second, 'card_declined', at(11)));

    expect(await creditLate(upgraded, account, first)).toBe(false);
    expect(await pauseOf(upgraded, account)).toMatchObject({
      paused_at: '2026-12-01T10:11:00.123Z',
      pause_reason: 'card_declined',
    });
  });

  it('an old instance pauses after the migration ran: that charge succeeding late lifts the pause', async () => {
    const account = 'acct_paused_by_old';
    const charge = await upgraded.transaction((m) => old.pending(m, account));
    await upgraded.transaction((m) =>
      old.fail(m, account, charge, 'authentication_required', at(20)),
    );

    expect(await creditLate(upgraded, account, charge)).toBe(true);
    expect(await pauseOf(upgraded, account)).toEqual({
      paused_at: null,
      pause_reason: null,
      paused_by_entry: null,
    });
  });

  it('three new instances starting together on a schema of the previous release run the migration once', async () => {
    await runMigrations(await open(previous, rolled));
    const instances = await Promise.all([1, 2, 3].map(() => open(TOPUP_MIGRATIONS, rolled)));
    const applied = await Promise.all(instances.map((instance) => runMigrations(instance)));
    expect(applied.flat()).toEqual(['APauseNamesTheChargeThatFailed1765166400000']);
    const names = (await instances[0]?.query(`SELECT name FROM migrations ORDER BY id`)) as Array<{
      name: string;
    }>;
    expect(names.map((row) => row.name)).toEqual(
      TOPUP_MIGRATIONS.map((migration) => new migration().name),
    );
  });
});
