import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * usage_lines keeps only its primary key: the index by transaction served no lookup (the
 * reconciliation reads the whole table) and cost every usage event an index insert.
 */
export class UsageLinesKeepOneIndex1763856002800 implements MigrationInterface {
  name = 'UsageLinesKeepOneIndex1763856002800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS usage_lines_by_transaction');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX usage_lines_by_transaction ON usage_lines (account_id, transaction_id)',
    );
  }
}
