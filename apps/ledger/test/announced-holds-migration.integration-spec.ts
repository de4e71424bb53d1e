import type { DataSource } from 'typeorm';
import { runMigrations } from '@tally/persistence';
import { AnnouncedHolds1763856003460 } from '../src/migrations/1763856003460-announced-holds.migration';
import { migrationTestLedger, migrationsAround } from './migrated-ledger';

const { before: BEFORE, upTo: WITH_ANNOUNCED_HOLDS } = migrationsAround(
  AnnouncedHolds1763856003460,
);

describe('announced holds (ADR 0102) on upgrade', () => {
  const ledger = migrationTestLedger();
  let dataSource: DataSource;

  it('marks what every account with a held, released or expired hold last subtracted as not known', async () => {
    const before = await ledger.migrated(BEFORE);
    await before.query(
      `INSERT INTO reservations (account_id, reservation_id, api_key_id, amount, status, expires_at) VALUES
         ('acct_holding', 'res_1', 'key_1', 1, 'held', now() + interval '1 minute'),
         ('acct_holding', 'res_2', 'key_2', 1, 'released', now()),
         ('acct_released', 'res_3', 'key_3', 1, 'released', now()),
         ('acct_expired', 'res_4', 'key_4', 1, 'expired', now()),
         ('acct_settled', 'res_5', 'key_5', 1, 'settled', now())`,
    );
    await before.destroy();

    dataSource = await ledger.kept(WITH_ANNOUNCED_HOLDS);
    expect(
      await dataSource.query(
        'SELECT account_id, api_key_id, held FROM announced_holds ORDER BY account_id',
      ),
    ).toEqual([
      { account_id: 'acct_expired', api_key_id: '', held: null },
      { account_id: 'acct_holding', api_key_id: '', held: null },
      { account_id: 'acct_released', api_key_id: '', held: null },
    ]);
  });

  it('goes back dropping the table, and forward again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await dataSource.query(`SELECT to_regclass('announced_holds') AS found`)).toEqual([
      { found: null },
    ]);
    expect(await runMigrations(dataSource)).toEqual(['AnnouncedHolds1763856003460']);
  });
});
