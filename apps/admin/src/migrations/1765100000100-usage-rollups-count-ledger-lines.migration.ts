import type { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'Usage per account and UTC day of occurrence: cost as the ledger charged it (ledger.transactions), tokens and requests from usage.rated. api_key_id '''' is usage without a key'`;

/** The rollups count the ledger's usage lines, each event once (ADR 0161): the table says so. */
export class UsageRollupsCountLedgerLines1765100000100 implements MigrationInterface {
  name = 'UsageRollupsCountLedgerLines1765100000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`COMMENT ON TABLE usage_daily IS
      'Usage per account and UTC day of occurrence, from the ledger''s usage lines (ledger.transactions): charged cost, tokens, one request each (ADR 0161). api_key_id '''' is usage without a key'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`COMMENT ON TABLE usage_daily IS ${BEFORE}`);
  }
}
