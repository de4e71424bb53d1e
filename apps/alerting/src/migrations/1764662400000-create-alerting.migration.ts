import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Channels, the alert state, the alert log and its deliveries, usage rollups, consumer positions. */
export class CreateAlerting1764662400000 implements MigrationInterface {
  name = 'CreateAlerting1764662400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE channels (
        account_id text NOT NULL,
        channel_id text NOT NULL,
        type text NOT NULL CHECK (type IN ('webhook', 'slack', 'email')),
        target text NOT NULL,
        signing_secret text,
        kinds text[],
        custom_thresholds jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, channel_id)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN channels.target IS
      'The webhook URL or the email address'`);
    await queryRunner.query(`COMMENT ON COLUMN channels.signing_secret IS
      'HMAC key of a webhook channel: kept in clear because every delivery is signed with it; never shown after the reply that created it'`);
    await queryRunner.query(`COMMENT ON COLUMN channels.kinds IS
      'Alert kinds the channel wants; NULL means all, including kinds added later'`);

    await queryRunner.query(`
      CREATE TABLE balance_states (
        account_id text NOT NULL,
        api_key_id text NOT NULL DEFAULT '',
        sequence bigint NOT NULL,
        period_start timestamptz,
        level text NOT NULL,
        percent integer NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (account_id, api_key_id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE balance_states IS
      'The last ledger.balance-changed applied per account and key: a record whose sequence is not above it is stale and ignored'`);

    await queryRunner.query(`
      CREATE TABLE topup_states (
        account_id text PRIMARY KEY,
        sequence bigint NOT NULL,
        enabled boolean NOT NULL,
        state text NOT NULL,
        at timestamptz NOT NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE active_alerts (
        account_id text NOT NULL,
        api_key_id text NOT NULL DEFAULT '',
        condition_key text NOT NULL,
        seq bigserial NOT NULL,
        kind text NOT NULL,
        alert_id text,
        scope_start timestamptz,
        since timestamptz NOT NULL,
        PRIMARY KEY (account_id, api_key_id, condition_key)
      )`);
    await queryRunner.query(`COMMENT ON TABLE active_alerts IS
      'One row per condition that fired and has not cleared: the dedupe of alerts. The key names the period, so a new period re-arms'`);
    await queryRunner.query(`COMMENT ON COLUMN active_alerts.alert_id IS
      'NULL when a higher level reached at the same time was announced instead'`);

    await queryRunner.query(`
      CREATE TABLE alerts (
        account_id text NOT NULL,
        alert_id text NOT NULL,
        seq bigserial NOT NULL,
        api_key_id text,
        kind text NOT NULL,
        state text NOT NULL CHECK (state IN ('fired', 'resolved')),
        resolves text,
        body text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (account_id, alert_id)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX alerts_history ON alerts (account_id, seq)`);
    await queryRunner.query(`COMMENT ON COLUMN alerts.body IS
      'The alerts.fired payload as published: every delivery attempt sends these bytes'`);

    await queryRunner.query(`
      CREATE TABLE deliveries (
        account_id text NOT NULL,
        delivery_id text NOT NULL,
        alert_id text NOT NULL,
        channel_id text NOT NULL,
        channel_type text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'retrying', 'delivered', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_token text,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        PRIMARY KEY (account_id, delivery_id),
        UNIQUE (account_id, alert_id, channel_id)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN deliveries.delivery_id IS
      'Sent as Tally-Delivery-Id on every attempt: receivers dedupe on it'`);
    await queryRunner.query(`COMMENT ON COLUMN deliveries.lease_until IS
      'An instance sending this delivery holds it until then; after a crash another takes it over'`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying')`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_open_by_channel ON deliveries (account_id, channel_id) WHERE status IN ('pending', 'retrying')`,
    );

    await queryRunner.query(`
      CREATE TABLE delivery_dead_letters (
        account_id text NOT NULL,
        delivery_id text NOT NULL,
        alert_id text NOT NULL,
        channel_id text NOT NULL,
        channel_type text NOT NULL,
        attempts integer NOT NULL,
        last_error text,
        body text NOT NULL,
        dead_at timestamptz NOT NULL,
        PRIMARY KEY (account_id, delivery_id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE delivery_dead_letters IS
      'Deliveries that used all their attempts, with what was to be sent: for an operator to inspect and replay'`);

    await queryRunner.query(`
      CREATE TABLE usage_rollups (
        account_id text NOT NULL,
        hour timestamptz NOT NULL,
        cost numeric(38,12) NOT NULL,
        events integer NOT NULL,
        PRIMARY KEY (account_id, hour)
      )`);
    await queryRunner.query(`COMMENT ON TABLE usage_rollups IS
      'Rated usage cost per account and UTC hour of occurred_at: the anomaly rule reads these, never per-event rows'`);

    await queryRunner.query(`
      CREATE TABLE consumer_positions (
        consumer text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (consumer, partition)
      )`);
    await queryRunner.query(`COMMENT ON TABLE consumer_positions IS
      'The next offset to apply per topic partition, advanced in the transaction of the effect: exactly once without an inbox row per record (ADR 0030)'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'consumer_positions',
      'usage_rollups',
      'delivery_dead_letters',
      'deliveries',
      'alerts',
      'active_alerts',
      'topup_states',
      'balance_states',
      'channels',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
