import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why auto top-up is paused (ADR 0157), as topup.status-changed says it. Rows written before
 * keep NULL (unknown) until the account's next status; adding a nullable column takes no rewrite.
 */
export class TopUpStatusPauseReason1765110000100 implements MigrationInterface {
  name = 'TopUpStatusPauseReason1765110000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE topup_status ADD COLUMN pause_reason text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE topup_status DROP COLUMN pause_reason`);
  }
}
