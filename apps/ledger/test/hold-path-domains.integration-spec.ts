import type { DataSource } from 'typeorm';
import { runMigrations } from '@tally/persistence';
import { HoldPathRulesAreDomains1763856003000 } from '../src/migrations/1763856003000-hold-path-rules-are-domains.migration';
import { failureOf, migrationTestLedger, migrationsAround } from './migrated-ledger';

const HOLD_TABLES = ['accounts', 'api_keys', 'reservations'];
const { before: BEFORE_DOMAINS, upTo: WITH_DOMAINS } = migrationsAround(
  HoldPathRulesAreDomains1763856003000,
);

/** The hold tables' files: a table rewritten gets a new one. */
function filesOf(dataSource: DataSource, schema: string): Promise<unknown[]> {
  return dataSource.query(
    `SELECT relname, relfilenode FROM pg_class WHERE relnamespace = $1::regnamespace AND relname = ANY ($2) ORDER BY relname`,
    [schema, HOLD_TABLES],
  );
}

/** The hold tables' CHECK constraints: name and definition. */
async function tableChecksOf(dataSource: DataSource, schema: string): Promise<string[]> {
  const rows: Array<{ check: string }> = await dataSource.query(
    `SELECT conname || ' ' || pg_get_constraintdef(oid) AS check FROM pg_constraint WHERE contype = 'c'
     AND conrelid = ANY (SELECT oid FROM pg_class WHERE relnamespace = $1::regnamespace AND relname = ANY ($2)) ORDER BY conname`,
    [schema, HOLD_TABLES],
  );
  return rows.map((row) => row.check);
}

describe('the hold path keeps its value rules in domains (ADR 0055)', () => {
  const ledger = migrationTestLedger();
  const { schema } = ledger;
  let dataSource: DataSource;
  let checksBefore: string[];

  it('moves the rules without rewriting a table, keeps every row, and refuses what the CHECKs refused', async () => {
    const before = await ledger.migrated(BEFORE_DOMAINS);
    await before.query(
      `INSERT INTO accounts (account_id, name, opened_by) VALUES ('acct_a', 'a', 'usage')`,
    );
    await before.query(
      `INSERT INTO api_keys (account_id, api_key_id, name, secret_hash, held) VALUES ('acct_a', 'key_a', 'a', 'hash_a', 0.250000000000)`,
    );
    await before.query(`INSERT INTO reservations (account_id, reservation_id, api_key_id, amount, status, expires_at)
      VALUES ('acct_a', 'res_a', 'key_a', 0.250000000000, 'held', now() + interval '1 hour')`);
    const filesBefore = await filesOf(before, schema);
    checksBefore = await tableChecksOf(before, schema);
    await before.destroy();

    dataSource = await ledger.kept(WITH_DOMAINS);

    expect(await filesOf(dataSource, schema)).toEqual(filesBefore);
    expect(
      await dataSource.query(`SELECT a.status, a.opened_by, k.held::text, r.amount::text, r.status AS reservation
        FROM accounts a JOIN api_keys k USING (account_id) JOIN reservations r USING (account_id)`),
    ).toEqual([
      {
        status: 'active',
        opened_by: 'usage',
        held: '0.250000000000',
        amount: '0.250000000000',
        reservation: 'held',
      },
    ]);
    // No table CHECK is left for a statement on the hold path to parse.
    expect(await tableChecksOf(dataSource, schema)).toEqual([]);

    const refused = {
      negativeHeld: await failureOf(dataSource, `UPDATE api_keys SET held = held - 0.250000000001`),
      negativeHold: await failureOf(
        dataSource,
        `INSERT INTO reservations (account_id, reservation_id, api_key_id, amount, status, expires_at)
         VALUES ('acct_a', 'res_b', 'key_a', -0.000000000001, 'held', now())`,
      ),
      unknownHoldStatus: await failureOf(dataSource, `UPDATE reservations SET status = 'lost'`),
      unknownAccountStatus: await failureOf(dataSource, `UPDATE accounts SET status = 'closed'`),
      unknownOpener: await failureOf(dataSource, `UPDATE accounts SET opened_by = 'import'`),
    };
    expect(refused).toEqual({
      negativeHeld: '23514',
      negativeHold: '23514',
      unknownHoldStatus: '23514',
      unknownAccountStatus: '23514',
      unknownOpener: '23514',
    });
    expect(await failureOf(dataSource, `UPDATE api_keys SET held = held - 0.250000000000`)).toBe(
      'none',
    );
  });

  it('still finds held reservations through the partial indexes on status', async () => {
    // Many ended holds beside the live one: reading them all would cost more than the indexes.
    await dataSource.query(`INSERT INTO reservations (account_id, reservation_id, api_key_id, amount, status, expires_at)
      SELECT 'acct_a', 'res_settled_' || i, 'key_a', 0.01, 'settled', now() - interval '1 day' FROM generate_series(1, 5000) AS i`);
    await dataSource.query('ANALYZE reservations');
    const planOf = async (sql: string) =>
      ((await dataSource.query(`EXPLAIN ${sql}`)) as Array<{ 'QUERY PLAN': string }>)
        .map((row) => row['QUERY PLAN'])
        .join('\n');

    expect(
      await planOf(
        `SELECT sum(amount) FROM reservations WHERE account_id = 'acct_a' AND status = 'held' AND expires_at <= now()`,
      ),
    ).toMatch(/using reservations_held_(by_expiry|to_sweep) /);
    expect(
      await planOf(
        `SELECT reservation_id FROM reservations WHERE status = 'held' AND expires_at <= now()`,
      ),
    ).toMatch(/using reservations_held_to_sweep /);
  });

  it('goes back to the table CHECKs and forward again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    expect(checksBefore.map((check) => check.split(' ')[0])).toEqual([
      'accounts_opened_by_check',
      'accounts_status_check',
      'api_keys_held_check',
      'reservations_amount_check',
      'reservations_status_check',
    ]);
    expect(await tableChecksOf(dataSource, schema)).toEqual(checksBefore);
    expect(await failureOf(dataSource, `UPDATE accounts SET status = 'closed'`)).toBe('23514');
    expect(await runMigrations(dataSource)).toEqual(['HoldPathRulesAreDomains1763856003000']);
  });
});
