import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last balance of every account the ledger announced, settings or not: an account that
 * runs out of funds before its first setup gets no newer balance, so the setup decides this
 * one (ADR 0062). Settings keep their own copy, as the balance they decided.
 */
export class AutoTopUpKeepsEveryAccountsLastBalance1765040400000 implements MigrationInterface {
  name = 'AutoTopUpKeepsEveryAccountsLastBalance1765040400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auto_topup_last_balances (
        account_id text PRIMARY KEY,
        sequence bigint,
        available_percent numeric(38,12)
      )`);
    await queryRunner.query(`COMMENT ON TABLE auto_topup_last_balances IS
      'The newest ledger.balance-changed of each account. A first settings row starts from it; writers lock its row before the settings row, so none is lost between them'`);
    await queryRunner.query(`COMMENT ON COLUMN auto_topup_last_balances.sequence IS
      'Null while only a settings change has locked the row: no balance announced yet'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE auto_topup_last_balances');
  }
}
