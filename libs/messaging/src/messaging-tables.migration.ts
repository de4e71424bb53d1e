import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbox and outbox of a service, created in the service's own schema (search_path). Every
 * service lists this migration first.
 */
export class CreateMessagingTables1763856000000 implements MigrationInterface {
  name = 'CreateMessagingTables1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE inbox (
        consumer text NOT NULL,
        message_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE inbox IS
      'Ids of messages whose effect is committed; inserted in the effect''s transaction so a redelivery changes nothing'`);
    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON TABLE outbox IS
      'Messages written in the same transaction as the facts they announce; the relay publishes then deletes them'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE outbox');
    await queryRunner.query('DROP TABLE inbox');
  }
}
