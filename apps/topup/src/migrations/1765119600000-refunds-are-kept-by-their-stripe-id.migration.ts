import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One entry per Stripe refund, keyed by its id, which may end `canceled` as well as `failed`
 * (ADR 0087): a refund that ends after taking its credit back gives it back.
 */
export class RefundsAreKeptByTheirStripeId1765119600000 implements MigrationInterface {
  name = 'RefundsAreKeptByTheirStripeId1765119600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE topup_entries DROP CONSTRAINT topup_entries_status_check`);
    await queryRunner.query(`ALTER TABLE topup_entries ADD CONSTRAINT topup_entries_status_check
      CHECK (status IN ('open', 'pending', 'succeeded', 'failed', 'expired', 'canceled'))`);
    await queryRunner.query(`COMMENT ON COLUMN topup_entries.refund_key IS
      'A refund entry''s Stripe refund id: one entry per refund, taken back once and given back once. Entries made before ADR 0087 hold <payment intent>:<refunded total in minor units> until a report of their refund names its id'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE topup_entries SET status = 'failed' WHERE status = 'canceled'`);
    await queryRunner.query(`ALTER TABLE topup_entries DROP CONSTRAINT topup_entries_status_check`);
    await queryRunner.query(`ALTER TABLE topup_entries ADD CONSTRAINT topup_entries_status_check
      CHECK (status IN ('open', 'pending', 'succeeded', 'failed', 'expired'))`);
    await queryRunner.query(`COMMENT ON COLUMN topup_entries.refund_key IS NULL`);
  }
}
