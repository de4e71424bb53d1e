import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A hold placed under a request id keeps a digest of the request, so that the same id with
 * another request is refused instead of answered with this hold (ADR 0127). Added without a
 * default: PostgreSQL rewrites nothing, and holds placed before it have none.
 */
export class ReservationsKeepTheirRequest1763856003627 implements MigrationInterface {
  name = 'ReservationsKeepTheirRequest1763856003627';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE reservations ADD COLUMN request_fingerprint text');
    await queryRunner.query(`COMMENT ON COLUMN reservations.request_fingerprint IS
      'Digest of the request a hold with a request_id was placed for (amount or estimate, TTL); NULL without a request_id or before ADR 0127'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE reservations DROP COLUMN request_fingerprint');
  }
}
