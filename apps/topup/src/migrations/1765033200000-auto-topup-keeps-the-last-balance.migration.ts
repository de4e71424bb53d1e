import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The percent of the last balance applied, so that an account can be decided again when time
 * alone lifts a refusal (its cooldown ends, a new month starts: ADR 0058), and an index over
 * the accounts whose announced state is of that kind.
 */
export class AutoTopUpKeepsTheLastBalance1765033200000 implements MigrationInterface {
  name = 'AutoTopUpKeepsTheLastBalance1765033200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE auto_topup_settings ADD COLUMN last_available_percent numeric(38,12)`,
    );
    await queryRunner.query(`COMMENT ON COLUMN auto_topup_settings.last_available_percent IS
      'available_percent of the balance at last_balance_sequence: a refusal that time lifts is decided again on it, since a refused account posts no usage and so sends no new balance'`);
    await queryRunner.query(
      `CREATE INDEX auto_topup_settings_time_bound ON auto_topup_settings (account_id)
       WHERE published_status->>'state' IN ('cooldown', 'monthly_limit_reached')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX auto_topup_settings_time_bound');
    await queryRunner.query('ALTER TABLE auto_topup_settings DROP COLUMN last_available_percent');
  }
}
