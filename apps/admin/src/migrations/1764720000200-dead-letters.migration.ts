import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admin's projection of usage.dead-letter (ADR 0045). */
export class DeadLetters1764720000200 implements MigrationInterface {
  name = 'DeadLetters1764720000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dead_letters (
        id bigserial PRIMARY KEY,
        service text NOT NULL,
        source_topic text NOT NULL,
        source_partition integer NOT NULL,
        source_offset bigint NOT NULL,
        reason text NOT NULL,
        error text NOT NULL,
        key text,
        key_base64 text,
        value text,
        truncated boolean NOT NULL,
        at timestamptz NOT NULL,
        UNIQUE (service, source_topic, source_partition, source_offset)
      )`);
    await queryRunner.query(`COMMENT ON TABLE dead_letters IS
      'Records a service could not use, from usage.dead-letter; value keeps the first 16 KiB of the base64 text'`);
    await queryRunner.query('CREATE INDEX dead_letters_by_time ON dead_letters (at, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE dead_letters');
  }
}
