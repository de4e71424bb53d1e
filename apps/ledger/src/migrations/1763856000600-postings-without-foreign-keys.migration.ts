import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Postings lose their two foreign keys (ADR 0007): their per-row checks were two thirds of the
 * cost of inserting postings. The ledger code keeps a CHECK, and reconciliation reports any
 * posting without its transaction or ledger account.
 */
export class PostingsWithoutForeignKeys1763856000600 implements MigrationInterface {
  name = 'PostingsWithoutForeignKeys1763856000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE postings DROP CONSTRAINT postings_account_id_transaction_id_fkey',
    );
    await queryRunner.query(
      'ALTER TABLE postings DROP CONSTRAINT postings_account_id_ledger_code_fkey',
    );
    await queryRunner.query(`ALTER TABLE postings ADD CONSTRAINT postings_ledger_code_check
      CHECK (ledger_code IN ('allowance', 'credit', 'overage', 'revenue', 'payments_clearing', 'promotions', 'expiry', 'allowance_issued'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE postings DROP CONSTRAINT postings_ledger_code_check');
    await queryRunner.query(`ALTER TABLE postings ADD CONSTRAINT postings_account_id_ledger_code_fkey
      FOREIGN KEY (account_id, ledger_code) REFERENCES ledger_accounts (account_id, code)`);
    await queryRunner.query(`ALTER TABLE postings ADD CONSTRAINT postings_account_id_transaction_id_fkey
      FOREIGN KEY (account_id, transaction_id) REFERENCES transactions (account_id, transaction_id)`);
  }
}
