import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Authorizations of an account serialise on this counter (ADR 0006). */
export class AccountHoldsVersion1763856000500 implements MigrationInterface {
  name = 'AccountHoldsVersion1763856000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE accounts ADD COLUMN holds_version bigint NOT NULL DEFAULT 0',
    );
    await queryRunner.query(`COMMENT ON COLUMN accounts.holds_version IS
      'Incremented by every new hold, only if it still has the value the authorization read: concurrent authorizations cannot both decide on the same holds'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts DROP COLUMN holds_version');
  }
}
