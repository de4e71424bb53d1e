import type { DataSource } from 'typeorm';
import { runMigrations } from '@tally/persistence';
import { BalanceSequencesAreFactsVersions1763856003300 } from '../src/migrations/1763856003300-balance-sequences-are-facts-versions.migration';
import { migrationTestLedger, migrationsAround } from './migrated-ledger';

const { before: BEFORE, upTo: WITH_SEQUENCES } = migrationsAround(
  BalanceSequencesAreFactsVersions1763856003300,
);

describe('balance sequences are facts versions', () => {
  const ledger = migrationTestLedger();
  let dataSource: DataSource;

  it('starts each facts version at least at the last sequence announced, the sum of its ledger rows versions', async () => {
    const before = await ledger.migrated(BEFORE);
    await before.query(
      `INSERT INTO accounts (account_id, name, opened_by)
       VALUES ('acct_behind', 'b', 'usage'), ('acct_ahead', 'a', 'usage'), ('acct_unmoved', 'u', 'usage')`,
    );
    await before.query(
      `INSERT INTO ledger_accounts (account_id, code, version) VALUES
         ('acct_behind', 'credit', 7), ('acct_behind', 'revenue', 5), ('acct_behind', 'promotions', 2),
         ('acct_ahead', 'credit', 3), ('acct_ahead', 'revenue', 3),
         ('acct_unmoved', 'credit', 0)`,
    );
    await before.query(
      `INSERT INTO account_facts_versions (account_id, version) VALUES ('acct_behind', 4), ('acct_ahead', 9)`,
    );
    await before.destroy();

    dataSource = await ledger.kept(WITH_SEQUENCES);
    expect(
      await dataSource.query(
        'SELECT account_id, version::int AS version FROM account_facts_versions ORDER BY account_id',
      ),
    ).toEqual([
      { account_id: 'acct_ahead', version: 9 },
      { account_id: 'acct_behind', version: 14 },
      { account_id: 'acct_unmoved', version: 0 },
    ]);
  });

  it('goes back leaving the versions, and forward again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    expect(
      await dataSource.query(
        `SELECT version::int AS version FROM account_facts_versions WHERE account_id = 'acct_behind'`,
      ),
    ).toEqual([{ version: 14 }]);
    expect(await runMigrations(dataSource)).toEqual([
      'BalanceSequencesAreFactsVersions1763856003300',
    ]);
  });
});
