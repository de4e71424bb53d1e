import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The round the outbox relay has in flight, so a new leader can tell whether Kafka committed it. */
export class CreateOutboxRounds1763856000001 implements MigrationInterface {
  name = 'CreateOutboxRounds1763856000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SEQUENCE outbox_round_seq');
    await queryRunner.query(`
      CREATE TABLE outbox_round (
        round bigint PRIMARY KEY,
        message_ids bigint[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON TABLE outbox_round IS
      'Written before a round is sent; Kafka records the round number in the same transaction as its messages (group offset), so a crash between send and delete is settled without sending twice'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE outbox_round');
    await queryRunner.query('DROP SEQUENCE outbox_round_seq');
  }
}
