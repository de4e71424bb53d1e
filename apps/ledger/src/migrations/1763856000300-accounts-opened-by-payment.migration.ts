import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A payment for an account the ledger does not know yet opens it too (ADR 0003). */
export class AccountsOpenedByPayment1763856000300 implements MigrationInterface {
  name = 'AccountsOpenedByPayment1763856000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts DROP CONSTRAINT accounts_opened_by_check');
    await queryRunner.query(
      `ALTER TABLE accounts ADD CONSTRAINT accounts_opened_by_check CHECK (opened_by IN ('command', 'usage', 'payment'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts DROP CONSTRAINT accounts_opened_by_check');
    await queryRunner.query(
      `ALTER TABLE accounts ADD CONSTRAINT accounts_opened_by_check CHECK (opened_by IN ('command', 'usage'))`,
    );
  }
}
