import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Budgets of accounts and of API keys inside them, with the running figures of their current period. */
export class CreateBudgets1763856000400 implements MigrationInterface {
  name = 'CreateBudgets1763856000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE budgets (
        account_id text NOT NULL REFERENCES accounts (account_id),
        api_key_id text NOT NULL DEFAULT '',
        period text NOT NULL CHECK (period IN ('monthly', 'weekly', 'daily', 'none')),
        reset_day integer,
        anchor_start timestamptz,
        limit_amount numeric(38,12) NOT NULL,
        soft_limit_percent numeric(7,4) NOT NULL,
        hard_limit boolean NOT NULL,
        overage_limit numeric(38,12) NOT NULL,
        rollover_max_percent numeric(7,4) NOT NULL,
        prorate boolean NOT NULL,
        expires_at timestamptz,
        grace_period_hours numeric NOT NULL,
        active boolean NOT NULL,
        created_at timestamptz NOT NULL,
        period_start timestamptz,
        period_end timestamptz,
        allowance numeric(38,12) NOT NULL,
        allowance_remaining numeric(38,12) NOT NULL,
        used numeric(38,12) NOT NULL,
        rolled_over numeric(38,12) NOT NULL,
        PRIMARY KEY (account_id, api_key_id)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN budgets.api_key_id IS
      'Empty for the account''s own budget, else the key whose spending it limits inside the account'`);
    await queryRunner.query(`COMMENT ON COLUMN budgets.period_start IS
      'The period the figures belong to; rolling to a new period happens once, when the next event or authorization sees it'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE budgets');
  }
}
