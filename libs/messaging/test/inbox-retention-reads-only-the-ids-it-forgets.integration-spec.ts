import {
  inRolledBackTransaction,
  migratedSchema,
  recordingManager,
  rowsExamined,
} from '@tally/testing';
import { MESSAGING_MIGRATIONS } from '../src';
import { forgetInboxIds } from '../src/inbox';

/**
 * Inbox retention (ADR 0135) runs every hour, batch by batch, on the inboxes that keep ids for
 * a week: topup's holds an id per balance record of the ledger, millions a week on a busy
 * system. A batch reads the ids it forgets, not the consumer's week of younger ones (the old
 * empty last batch read all 250,000 rows left in the table).
 */
describe('inbox retention at volume', () => {
  const inboxes = migratedSchema('inbox', MESSAGING_MIGRATIONS);

  it("forgets the ids past the retention reading only those, not the week of younger ones nor another consumer's", async () => {
    await inRolledBackTransaction(inboxes.dataSource, async (manager) => {
      // A week of 200,000 ids younger than the retention, 6,000 older (more than a batch), and
      // another consumer's 50,000.
      await manager.query(
        `INSERT INTO inbox (consumer, message_id, received_at)
         SELECT 'topup.balances', 'm-' || g,
           CASE WHEN g <= 6000 THEN timestamptz '2026-10-20T00:00:00Z' + g * interval '1 s'
                ELSE timestamptz '2026-11-02T00:00:00Z' + g * interval '3 s' END
         FROM generate_series(1, 206000) AS g
         UNION ALL
         SELECT 'topup.other', 'o-' || g, timestamptz '2026-10-20T00:00:00Z'
         FROM generate_series(1, 50000) AS g`,
      );
      await manager.query('ANALYZE inbox');
      const { manager: recorded, statements } = recordingManager(manager);
      const before = new Date('2026-11-01T00:00:00Z');

      // A full batch, measured on the rows as they were before it.
      await manager.query('SAVEPOINT measured');
      expect(await forgetInboxIds(recorded, 'topup.balances', before, 5000)).toBe(5000);
      await manager.query('ROLLBACK TO SAVEPOINT measured');
      // Each id of the batch counts three times: found by time, looked up by key, deleted.
      expect(await rowsExamined(manager, statements[0]!, 'inbox')).toBeLessThanOrEqual(3 * 5000);
      expect(await forgetInboxIds(recorded, 'topup.balances', before, 5000)).toBe(1000);
      expect(await forgetInboxIds(recorded, 'topup.balances', before, 5000)).toBe(0);

      const [{ left }] = await manager.query(
        `SELECT count(*)::int AS left FROM inbox WHERE consumer = 'topup.balances' AND received_at < $1`,
        [before],
      );
      expect(left).toBe(0);
      expect(await rowsExamined(manager, statements[2]!, 'inbox')).toBe(0);
    });
  }, 20_000);
});
