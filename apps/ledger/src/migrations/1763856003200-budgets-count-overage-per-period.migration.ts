import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A budget's figures include its period's overage (DESIGN 4: the figures are a period's, and
 * the overage limit stretches each period's hard limit). An account budget's current period
 * starts with what its usage lines posted since the period began sent to overage.
 */
export class BudgetsCountOveragePerPeriod1763856003200 implements MigrationInterface {
  name = 'BudgetsCountOveragePerPeriod1763856003200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE budgets ADD COLUMN overage numeric(38,12) NOT NULL DEFAULT 0',
    );
    await queryRunner.query(`UPDATE budgets AS b SET overage = p.overage
      FROM (SELECT b.account_id, sum(u.to_overage) AS overage
            FROM budgets AS b
            JOIN transactions AS t ON t.account_id = b.account_id AND t.kind = 'usage'
              AND t.posted_at >= coalesce(b.period_start, b.created_at)
            JOIN usage_lines AS u ON u.account_id = t.account_id AND u.transaction_id = t.transaction_id
            WHERE b.api_key_id = ''
            GROUP BY b.account_id) AS p
      WHERE b.account_id = p.account_id AND b.api_key_id = ''`);
    await queryRunner.query(`COMMENT ON COLUMN budgets.overage IS
      'Usage of the current period covered by neither allowance nor credit; 0 again at each reset'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE budgets DROP COLUMN overage');
  }
}
