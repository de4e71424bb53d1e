import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Top-up's own records: each account's auto top-up settings and state, every payment (the
 * history a tenant sees), and every Stripe event received. Stripe ids are unique keys, so an
 * event, a checkout session or a payment intent credits at most once whatever the deliveries.
 */
export class CreateTopUp1763856002600 implements MigrationInterface {
  name = 'CreateTopUp1763856002600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auto_topup_settings (
        account_id text PRIMARY KEY,
        enabled boolean NOT NULL DEFAULT false,
        amount_paid numeric(38,12) NOT NULL CHECK (amount_paid > 0),
        paid_currency char(3) NOT NULL,
        trigger_below_percent numeric(38,12) NOT NULL CHECK (trigger_below_percent >= 0),
        monthly_limit numeric(38,12) NOT NULL CHECK (monthly_limit >= 0),
        stripe_customer_id text,
        stripe_payment_method_id text,
        paused_at timestamptz,
        pause_reason text,
        last_balance_sequence bigint,
        last_decision text,
        last_decision_at timestamptz,
        status_sequence bigint NOT NULL DEFAULT 0,
        published_status jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON COLUMN auto_topup_settings.stripe_payment_method_id IS
      'What off-session charges use. Kept here only: never in Stripe metadata, history, topics or logs; shown masked'`);
    await queryRunner.query(`COMMENT ON COLUMN auto_topup_settings.last_balance_sequence IS
      'The highest ledger.balance-changed sequence applied: a record not above it is an older state and is ignored'`);
    await queryRunner.query(`COMMENT ON COLUMN auto_topup_settings.published_status IS
      'The auto_topup state last announced on topup.status-changed (with status_sequence): announced again only when it changes'`);
    await queryRunner.query(`
      CREATE TABLE topup_entries (
        account_id text NOT NULL,
        entry_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('purchase', 'auto_purchase', 'failed', 'refund')),
        trigger text NOT NULL CHECK (trigger IN ('manual', 'auto', 'admin')),
        status text NOT NULL CHECK (status IN ('open', 'pending', 'succeeded', 'failed', 'expired')),
        credit_amount numeric(38,12) NOT NULL CHECK (credit_amount >= 0),
        paid_amount numeric(38,12) NOT NULL CHECK (paid_amount >= 0),
        paid_currency char(3) NOT NULL,
        checkout_session_id text UNIQUE,
        payment_intent_id text UNIQUE,
        decision_id text UNIQUE,
        refund_of uuid,
        refund_key text UNIQUE,
        stripe_ref text,
        refunded_paid numeric(38,12) NOT NULL DEFAULT 0,
        refunded_credit numeric(38,12) NOT NULL DEFAULT 0,
        charge_attempts integer NOT NULL DEFAULT 0,
        next_charge_at timestamptz,
        failure_code text,
        created_at timestamptz NOT NULL,
        settled_at timestamptz,
        credited_at timestamptz,
        PRIMARY KEY (account_id, entry_id)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN topup_entries.credit_amount IS
      'The credit this payment buys (or a refund takes back), computed exactly when the entry was made and never recomputed at a later rate'`);
    await queryRunner.query(`COMMENT ON COLUMN topup_entries.decision_id IS
      'An automatic charge''s decision: its Stripe idempotency key is derived from it, so every retry returns the same PaymentIntent'`);
    await queryRunner.query(`COMMENT ON COLUMN topup_entries.credited_at IS
      'Set once, by the statement that announces the credit: a payment credits at most once'`);
    await queryRunner.query(
      `CREATE INDEX topup_entries_history ON topup_entries (account_id, created_at DESC, entry_id DESC)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX topup_entries_one_pending_auto ON topup_entries (account_id) WHERE trigger = 'auto' AND status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX topup_entries_auto_succeeded ON topup_entries (account_id, settled_at) WHERE trigger = 'auto' AND status = 'succeeded'`,
    );
    await queryRunner.query(
      `CREATE INDEX topup_entries_charges_due ON topup_entries (next_charge_at) WHERE next_charge_at IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE stripe_events (
        event_id text PRIMARY KEY,
        type text NOT NULL,
        account_id text,
        outcome text NOT NULL CHECK (outcome IN ('handled', 'ignored')),
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON TABLE stripe_events IS
      'Every verified Stripe event, recorded in the transaction of its effect: a redelivery finds its id and changes nothing'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE stripe_events');
    await queryRunner.query('DROP TABLE topup_entries');
    await queryRunner.query('DROP TABLE auto_topup_settings');
  }
}
