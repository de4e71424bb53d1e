import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox row may carry several messages of one topic (ADR 0049): their keys in
 * `packed_keys`, their values in `value`, joined by U+001D.
 */
export class OutboxPackedRows1763856000004 implements MigrationInterface {
  name = 'OutboxPackedRows1763856000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE outbox ADD COLUMN packed_keys jsonb');
    await queryRunner.query(`COMMENT ON COLUMN outbox.packed_keys IS
      'NULL for a row of one message (message_key, value). Otherwise the keys of the messages the row carries, in publishing order; value holds their values joined by U+001D, and message_key is NULL'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE outbox DROP COLUMN packed_keys');
  }
}
