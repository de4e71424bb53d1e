import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A position the log no longer holds halts its partition until an operator resets it (ADR
 * 0106): the reason is kept with the position, so that a restart cannot take the new log's
 * records for applied once it has grown past the old position.
 */
export class ConsumerPositionsHalted1763856000006 implements MigrationInterface {
  name = 'ConsumerPositionsHalted1763856000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE consumer_positions ADD COLUMN halted text');
    await queryRunner.query(`COMMENT ON COLUMN consumer_positions.halted IS
      'NULL while the partition is consumed. Otherwise why it is not: records below next_offset arrived from a log that ends before it (the topic was created again or truncated). Delete the row to consume the log from its start (docs/operations.md)'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE consumer_positions DROP COLUMN halted');
  }
}
