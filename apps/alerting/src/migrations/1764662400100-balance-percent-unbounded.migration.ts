import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * balance_states.percent holds any spend percent the ledger can announce: prepaid credit far
 * above a small allowance puts it beyond an integer, and a balance that could not be stored
 * held back every later record of its partition.
 */
export class BalancePercentUnbounded1764662400100 implements MigrationInterface {
  name = 'BalancePercentUnbounded1764662400100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE balance_states ALTER COLUMN percent TYPE numeric`);
    await queryRunner.query(`COMMENT ON COLUMN balance_states.percent IS
      'Spend percent (100 - available_percent), an integer of any size: credit on a small allowance makes it hugely negative'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`COMMENT ON COLUMN balance_states.percent IS NULL`);
    await queryRunner.query(
      `ALTER TABLE balance_states ALTER COLUMN percent TYPE integer
       USING greatest(least(percent, 2147483647), -2147483648)`,
    );
  }
}
