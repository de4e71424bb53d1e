import type { DataSource } from 'typeorm';
import { inRolledBackTransaction, recordingManager, rowsExamined } from '@tally/testing';
import { HoldsStore } from '../src/holds/holds.store';
import { LEDGER_MIGRATIONS } from '../src/migrations/ledger.migrations';
import { migrationTestLedger } from './migrated-ledger';

/**
 * Hold retention (ADR 0136) runs every hour on every ledger, batch by batch, and ends each run
 * with a batch that finds fewer than it may delete, often none: on a busy ledger the
 * reservations table holds a week of ended holds, all too young to go. A batch reads the
 * holds it deletes, not the table (the old one read all 208,000 rows of it, full or empty).
 */
describe('hold retention at volume', () => {
  const ledger = migrationTestLedger();
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await ledger.kept(LEDGER_MIGRATIONS);
  });

  it('deletes the ended holds past their retention reading only those, not the week of younger ones', async () => {
    await inRolledBackTransaction(dataSource, async (manager) => {
      // A week of a busy tenant's holds: 200,000 ended and younger than the retention, 2,000
      // still held, and 6,000 ended before the retention's instant: more than a batch.
      await manager.query(
        `INSERT INTO reservations (account_id, reservation_id, api_key_id, request_id, amount, status, expires_at, created_at)
         SELECT 'acct_' || (g % 500), 'res-' || g, 'key_' || (g % 500), 'req-' || g, 0.10,
           CASE WHEN g <= 2000 THEN 'held' WHEN g % 3 = 0 THEN 'released' WHEN g % 3 = 1 THEN 'settled' ELSE 'expired' END,
           CASE WHEN g > 202000 THEN timestamptz '2026-11-01T00:00:00Z' + g * interval '1 ms'
                ELSE timestamptz '2026-11-02T10:00:00Z' + g * interval '3 s' END,
           timestamptz '2026-11-01T00:00:00Z'
         FROM generate_series(1, 208000) AS g`,
      );
      await manager.query('ANALYZE reservations');
      const { manager: recorded, statements } = recordingManager(manager);
      const holds = new HoldsStore();
      const before = new Date('2026-11-02T00:00:00Z');

      // A full batch, measured on the rows as they were before it.
      await manager.query('SAVEPOINT measured');
      expect(await holds.forgetEnded(recorded, before, 5000)).toBe(5000);
      await manager.query('ROLLBACK TO SAVEPOINT measured');
      // Each row of the batch counts three times: found by expiry, read by address, deleted.
      expect(await rowsExamined(manager, statements[0]!, 'reservations')).toBeLessThanOrEqual(
        3 * 5000,
      );
      expect(await holds.forgetEnded(recorded, before, 5000)).toBe(1000);
      expect(await holds.forgetEnded(recorded, before, 5000)).toBe(0);

      const [{ left }] = await manager.query(
        `SELECT count(*)::int AS left FROM reservations WHERE expires_at < $1`,
        [before],
      );
      expect(left).toBe(0);
      expect(await rowsExamined(manager, statements[2]!, 'reservations')).toBe(0);
    });
  }, 20_000);
});
