import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A budget's figures keep the part of its period's `used` that occurred before the period began
 * (usage posted late), which its projection counts once instead of as the period's rate (ADR
 * 0112). A current period starts with what its lines posted since it began but occurred before.
 */
export class BudgetsCountUsageFromEarlier1763856003872 implements MigrationInterface {
  name = 'BudgetsCountUsageFromEarlier1763856003872';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE budgets ADD COLUMN used_from_earlier numeric(38,12) NOT NULL DEFAULT 0',
    );
    await queryRunner.query(`UPDATE budgets AS b SET used_from_earlier = p.used_from_earlier
      FROM (SELECT b.account_id, b.api_key_id, sum(u.charged) AS used_from_earlier
            FROM budgets AS b
            JOIN transactions AS t ON t.account_id = b.account_id AND t.kind = 'usage'
              AND t.posted_at >= b.period_start
            JOIN usage_lines AS u ON u.account_id = t.account_id AND u.transaction_id = t.transaction_id
              AND u.occurred_at < b.period_start
              AND (b.api_key_id = '' OR u.api_key_id = b.api_key_id)
            WHERE b.period_start IS NOT NULL
            GROUP BY b.account_id, b.api_key_id) AS p
      WHERE b.account_id = p.account_id AND b.api_key_id = p.api_key_id`);
    await queryRunner.query(`COMMENT ON COLUMN budgets.used_from_earlier IS
      'The part of used that occurred before the current period began (posted late): projected once, not as a rate; 0 again at each reset'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE budgets DROP COLUMN used_from_earlier');
  }
}
