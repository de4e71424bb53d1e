import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The latest auto top-up state top-up announced per account (topup.status-changed), so a
 * refused authorization can name why the account is out of funds.
 */
export class TopUpStatus1763856002700 implements MigrationInterface {
  name = 'TopUpStatus1763856002700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE topup_status (
        account_id text PRIMARY KEY,
        sequence bigint NOT NULL,
        enabled boolean NOT NULL,
        state text NOT NULL,
        pending_since timestamptz,
        auto_topup jsonb NOT NULL,
        announced_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON COLUMN topup_status.sequence IS
      'top-up''s sequence for the account: a record not above it is older news and changes nothing'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE topup_status');
  }
}
