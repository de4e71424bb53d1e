import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox becomes a log (ADR 0040): rows carry their transaction's id and a day, live in
 * one partition per day, and are never deleted one by one; the relay remembers how far it
 * has published in `outbox_relay`. Rows waiting in the old queue move over unchanged (ids
 * kept, so a round the old relay left pending still names them) as one transaction of this
 * migration, published before anything written after it.
 */
export class OutboxAsLog1763856000003 implements MigrationInterface {
  name = 'OutboxAsLog1763856000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE outbox RENAME TO outbox_queue');
    await queryRunner.query('ALTER INDEX outbox_pkey RENAME TO outbox_queue_pkey');
    await queryRunner.query('ALTER SEQUENCE outbox_id_seq OWNED BY NONE');
    await queryRunner.query(`
      CREATE TABLE outbox (
        day date NOT NULL DEFAULT current_date,
        id bigint NOT NULL DEFAULT nextval('outbox_id_seq'),
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        topic text NOT NULL,
        message_key text,
        value text NOT NULL,
        dedupe_key text,
        created_at timestamptz NOT NULL DEFAULT now()
      ) PARTITION BY RANGE (day)`);
    await queryRunner.query('ALTER SEQUENCE outbox_id_seq OWNED BY outbox.id');
    await queryRunner.query(`COMMENT ON TABLE outbox IS
      'Messages written in the same transaction as the facts they announce; the relay publishes the rows of ended transactions in xid order and remembers its position (outbox_relay); old days go by dropping their partition'`);
    await queryRunner.query(`COMMENT ON COLUMN outbox.xid IS
      'The writing transaction: rows below the oldest running transaction can no longer appear, so the relay publishes them in this order'`);
    await queryRunner.query(`COMMENT ON COLUMN outbox.day IS
      'The partition: the day written, or the day of the fact a dedupe_key names (a usage event''s time), so that a repeat lands in the same partition'`);
    await queryRunner.query(`COMMENT ON COLUMN outbox.dedupe_key IS
      'The id of the message this row answers, when the row is the consumer''s record of having applied it (instead of an inbox row)'`);
    await queryRunner.query('CREATE INDEX outbox_xid_id ON outbox (xid, id)');
    await queryRunner.query(
      'CREATE UNIQUE INDEX outbox_day_dedupe_key ON outbox (day, dedupe_key) WHERE dedupe_key IS NOT NULL',
    );
    // Today and tomorrow; each service creates the rest at start, before it writes (ADR 0040).
    await queryRunner.query(`
      DO $$
      DECLARE d date;
      BEGIN
        FOR d IN SELECT generate_series(current_date, current_date + 1, interval '1 day')::date LOOP
          EXECUTE format('CREATE TABLE %I PARTITION OF outbox FOR VALUES FROM (%L) TO (%L)',
                         'outbox_p' || to_char(d, 'YYYYMMDD'), d, d + 1);
        END LOOP;
      END $$`);
    await queryRunner.query(`
      INSERT INTO outbox (id, topic, message_key, value, created_at)
      SELECT id, topic, message_key, value, created_at FROM outbox_queue ORDER BY id`);
    await queryRunner.query('DROP TABLE outbox_queue');

    await queryRunner.query(`
      CREATE TABLE outbox_relay (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position xid8 NOT NULL DEFAULT '0'
      )`);
    await queryRunner.query(`COMMENT ON TABLE outbox_relay IS
      'How far the relay has published: every outbox row with xid <= position is in Kafka'`);
    await queryRunner.query('INSERT INTO outbox_relay DEFAULT VALUES');
    await queryRunner.query('ALTER TABLE outbox_round ALTER COLUMN message_ids DROP NOT NULL');
    await queryRunner.query('ALTER TABLE outbox_round ADD COLUMN upto xid8');
    await queryRunner.query(`COMMENT ON COLUMN outbox_round.upto IS
      'The round publishes the transactions up to this xid; once Kafka has committed the round, this becomes the position'`);
    await queryRunner.query(`COMMENT ON COLUMN outbox_round.message_ids IS
      'Rounds of the relay before the outbox was a log: the rows they sent (deleted once Kafka committed them)'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Rows above the position go back to a queue; a round in flight may then be sent twice.
    await queryRunner.query(`DELETE FROM outbox_round WHERE message_ids IS NULL`);
    await queryRunner.query('ALTER TABLE outbox_round DROP COLUMN upto');
    await queryRunner.query('ALTER TABLE outbox_round ALTER COLUMN message_ids SET NOT NULL');
    await queryRunner.query(`
      CREATE TABLE outbox_queue (
        id bigint PRIMARY KEY,
        topic text NOT NULL,
        message_key text,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO outbox_queue (id, topic, message_key, value, created_at)
      SELECT id, topic, message_key, value, created_at FROM outbox
      WHERE xid > (SELECT position FROM outbox_relay) ORDER BY xid, id`);
    await queryRunner.query('DROP TABLE outbox_relay');
    await queryRunner.query('ALTER SEQUENCE outbox_id_seq OWNED BY NONE');
    await queryRunner.query('DROP TABLE outbox');
    await queryRunner.query('ALTER TABLE outbox_queue RENAME TO outbox');
    await queryRunner.query('ALTER INDEX outbox_queue_pkey RENAME TO outbox_pkey');
    await queryRunner.query(
      `ALTER TABLE outbox ALTER COLUMN id SET DEFAULT nextval('outbox_id_seq')`,
    );
    await queryRunner.query('ALTER SEQUENCE outbox_id_seq OWNED BY outbox.id');
    await queryRunner.query(`COMMENT ON TABLE outbox IS
      'Messages written in the same transaction as the facts they announce; the relay publishes then deletes them'`);
  }
}
