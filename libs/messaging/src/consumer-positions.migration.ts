import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where a consumer that applies records by log position has got to, per partition. */
export class CreateConsumerPositions1763856000002 implements MigrationInterface {
  name = 'CreateConsumerPositions1763856000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS consumer_positions (
        consumer text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (consumer, partition)
      )`);
    await queryRunner.query(`COMMENT ON TABLE consumer_positions IS
      'The next offset to apply per topic partition, advanced in the transaction of the effect: exactly once without an inbox row per record'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE consumer_positions');
  }
}
