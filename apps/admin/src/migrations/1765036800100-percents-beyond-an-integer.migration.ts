import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * balances.available_percent and alerts.percent hold any percent the ledger and alerting
 * announce: prepaid credit far above a small allowance puts them beyond a 32-bit integer, and a
 * record that could not be stored held back every later record of its partition.
 */
export class PercentsBeyondAnInteger1765036800100 implements MigrationInterface {
  name = 'PercentsBeyondAnInteger1765036800100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE balances ALTER COLUMN available_percent TYPE bigint');
    await queryRunner.query('ALTER TABLE alerts ALTER COLUMN percent TYPE bigint');
    await queryRunner.query(`COMMENT ON COLUMN balances.available_percent IS
      'Any integer the ledger announces (JSON safe integers): credit on a small allowance makes it huge'`);
    await queryRunner.query(`COMMENT ON COLUMN alerts.percent IS
      'The spend percent the alert names (100 - available_percent): credit on a small allowance makes it hugely negative'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('COMMENT ON COLUMN alerts.percent IS NULL');
    await queryRunner.query('COMMENT ON COLUMN balances.available_percent IS NULL');
    for (const [table, column] of [
      ['alerts', 'percent'],
      ['balances', 'available_percent'],
    ]) {
      await queryRunner.query(
        `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE integer
         USING greatest(least(${column}, 2147483647), -2147483648)`,
      );
    }
  }
}
