import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import { runMigrations } from '@tally/persistence';
import { AuthorizationStore } from '../src/authorizations/authorization.store';
import type { FactsRow } from '../src/authorizations/authorization.store';
import { ReservationsWithoutAForeignKey1763856003100 } from '../src/migrations/1763856003100-reservations-without-a-foreign-key.migration';
import { ReservationsKeepTheirRequest1763856003627 } from '../src/migrations/1763856003627-reservations-keep-their-request.migration';
import { failureOf, migrationTestLedger, migrationsAround } from './migrated-ledger';

const { before: BEFORE, upTo: WITHOUT_KEY } = migrationsAround(
  ReservationsWithoutAForeignKey1763856003100,
);

/** The foreign keys of reservations: name, definition and whether it was validated. */
function foreignKeysOf(dataSource: DataSource, schema: string): Promise<unknown[]> {
  return dataSource.query(
    `SELECT conname, pg_get_constraintdef(oid) AS definition, convalidated FROM pg_constraint
     WHERE contype = 'f' AND conrelid = (SELECT oid FROM pg_class WHERE relnamespace = $1::regnamespace AND relname = 'reservations')`,
    [schema],
  );
}

const orphanHold = (accountId: string) =>
  `INSERT INTO reservations (account_id, reservation_id, api_key_id, amount, status, expires_at)
   VALUES ('${accountId}', 'res_orphan', 'key_a', 0, 'released', now())`;

describe('reservations carry no foreign key (ADR 0056)', () => {
  const ledger = migrationTestLedger();
  const { schema } = ledger;
  let dataSource: DataSource;
  let keysBefore: unknown[];

  it('drops the key; both hold statements still place holds only for a key of the account', async () => {
    const before = await ledger.migrated(BEFORE);
    keysBefore = await foreignKeysOf(before, schema);
    expect(await failureOf(before, orphanHold('acct_nowhere'))).toBe('23503');
    await before.destroy();

    dataSource = await ledger.kept(WITHOUT_KEY);
    expect(await foreignKeysOf(dataSource, schema)).toEqual([]);
    await dataSource.query(
      `INSERT INTO accounts (account_id, name, opened_by) VALUES ('acct_a', 'a', 'usage'), ('acct_b', 'b', 'usage')`,
    );
    await dataSource.query(
      `INSERT INTO api_keys (account_id, api_key_id, name, secret_hash) VALUES ('acct_a', 'key_a', 'a', 'hash_a')`,
    );
    // Today's hold statements also write the request's digest, a column added later (ADR 0127);
    // added by hand, it is not recorded, so `down` below still undoes this migration.
    const runner = dataSource.createQueryRunner();
    await new ReservationsKeepTheirRequest1763856003627().up(runner);
    await runner.release();
    const store = new AuthorizationStore();
    const hold = (accountId: string, reservationId: string) =>
      store.hold(
        dataSource.manager,
        {
          accountId,
          reservationId,
          apiKeyId: 'key_a',
          requestId: null,
          requestFingerprint: null,
          amount: new Decimal('0.25'),
          expiresAt: new Date(Date.now() + 60_000),
        },
        '0',
      );

    // The kept-facts statement (ADR 0046), with every fact it compares as the account has them.
    const now = new Date();
    const holdIfCurrent = (accountId: string, reservationId: string, seen: Partial<FactsRow>) =>
      store.holdIfCurrent(
        dataSource.manager,
        {
          accountId,
          reservationId,
          apiKeyId: 'key_a',
          requestId: null,
          requestFingerprint: null,
          amount: new Decimal('0.25'),
          expiresAt: new Date(now.getTime() + 60_000),
        },
        {
          status: 'active',
          facts_version: '0',
          plan_name: 'no_such_plan',
          plan_version: null,
          held: '0',
          key_held: '0',
          ...seen,
        } as FactsRow,
        now,
      );

    // No account, and an account without that key: nothing is held, by either statement.
    expect(await hold('acct_nowhere', 'res_1')).toBe(false);
    expect(await hold('acct_b', 'res_2')).toBe(false);
    expect(await holdIfCurrent('acct_nowhere', 'res_4', { holds_version: '0' })).toBe(false);
    expect(await holdIfCurrent('acct_b', 'res_5', { holds_version: '1' })).toBe(false);
    // acct_b's facts were current (its counter moved on): only the missing key held nothing.
    expect(
      await dataSource.query(
        `SELECT holds_version::text FROM accounts WHERE account_id = 'acct_b'`,
      ),
    ).toEqual([{ holds_version: '2' }]);
    expect(await hold('acct_a', 'res_3')).toBe(true);
    expect(
      await holdIfCurrent('acct_a', 'res_6', {
        holds_version: '1',
        held: '0.25',
        key_held: '0.25',
      }),
    ).toBe(true);
    expect(
      await dataSource.query(
        'SELECT account_id, reservation_id, api_key_id, amount::text FROM reservations ORDER BY reservation_id',
      ),
    ).toEqual([
      {
        account_id: 'acct_a',
        reservation_id: 'res_3',
        api_key_id: 'key_a',
        amount: '0.250000000000',
      },
      {
        account_id: 'acct_a',
        reservation_id: 'res_6',
        api_key_id: 'key_a',
        amount: '0.250000000000',
      },
    ]);
    // An account that has keys still cannot be deleted: its keys' foreign key refuses it.
    expect(await failureOf(dataSource, `DELETE FROM accounts WHERE account_id = 'acct_a'`)).toBe(
      '23503',
    );
  });

  it('goes back to the key, validated, and forward again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    expect(keysBefore).toEqual([
      {
        conname: 'reservations_account_id_fkey',
        definition: 'FOREIGN KEY (account_id) REFERENCES accounts(account_id)',
        convalidated: true,
      },
    ]);
    expect(await foreignKeysOf(dataSource, schema)).toEqual(keysBefore);
    expect(await failureOf(dataSource, orphanHold('acct_nowhere'))).toBe('23503');
    expect(await runMigrations(dataSource)).toEqual([
      'ReservationsWithoutAForeignKey1763856003100',
    ]);
  });
});
