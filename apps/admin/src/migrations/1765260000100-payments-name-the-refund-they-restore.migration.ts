import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A credit_purchased that gives back a failed or canceled refund's credit names that refund
 * (ADR 0123): admin keeps it, masked, so its payments view does not show it as a payment made.
 * Those projected before are found by their id, `topup:<entry>:restored:<refund>`.
 */
export class PaymentsNameTheRefundTheyRestore1765260000100 implements MigrationInterface {
  name = 'PaymentsNameTheRefundTheyRestore1765260000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE payments ADD COLUMN restores_refund_masked text');
    await queryRunner.query(`COMMENT ON COLUMN payments.restores_refund_masked IS
      'On a credit_purchased that gives back a refund''s credit: that refund, masked as stripe_ref_masked (ADR 0175)'`);
    await queryRunner.query(`
      WITH restored AS (
        SELECT account_id, payment_id, split_part(payment_id, ':restored:', 2) AS refund
        FROM payments WHERE kind = 'credit_purchased' AND payment_id LIKE 'topup:%:restored:%')
      UPDATE payments AS p SET restores_refund_masked =
        CASE WHEN strpos(r.refund, '_') BETWEEN 2 AND 9
          THEN left(r.refund, strpos(r.refund, '_')) ELSE '' END || '...' || right(r.refund, 4)
      FROM restored AS r
      WHERE p.account_id = r.account_id AND p.payment_id = r.payment_id AND r.refund <> ''`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE payments DROP COLUMN restores_refund_masked');
  }
}
