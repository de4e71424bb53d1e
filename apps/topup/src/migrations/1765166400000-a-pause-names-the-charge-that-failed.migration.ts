import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The failed automatic charge that paused auto top-up, so that Stripe reporting that very
 * charge succeeded later lifts its own pause and no other (ADR 0145). Pauses made before are
 * given the charge that failed when they were made: a failure and its pause share one time.
 */
export class APauseNamesTheChargeThatFailed1765166400000 implements MigrationInterface {
  name = 'APauseNamesTheChargeThatFailed1765166400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auto_topup_settings ADD COLUMN paused_by_entry uuid`);
    await queryRunner.query(`COMMENT ON COLUMN auto_topup_settings.paused_by_entry IS
      'The failed automatic charge (topup_entries.entry_id) whose failure made the pause at paused_at: its late success lifts the pause, while a pause of a later failure stays (ADR 0145)'`);
    await queryRunner.query(`
      UPDATE auto_topup_settings AS s SET paused_by_entry = (
        SELECT e.entry_id FROM topup_entries AS e
        WHERE e.account_id = s.account_id AND e.trigger = 'auto' AND e.status = 'failed'
          AND e.settled_at = s.paused_at
        ORDER BY e.entry_id LIMIT 1)
      WHERE s.paused_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE auto_topup_settings DROP COLUMN paused_by_entry');
  }
}
