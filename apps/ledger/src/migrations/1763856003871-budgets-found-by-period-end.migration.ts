import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's round finds the budgets whose period has ended, to post their resets and
 * announce the new period of an account that spends nothing (ADR 0110): an index of the few
 * that are due, not a scan of every budget each round.
 */
export class BudgetsFoundByPeriodEnd1763856003871 implements MigrationInterface {
  name = 'BudgetsFoundByPeriodEnd1763856003871';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX budgets_period_end ON budgets (period_end, account_id) WHERE period_end IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX budgets_period_end');
  }
}
