import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin's own schema: its tokens, what it learnt from its commands (accounts, API keys, credit
 * requests), and read models projected from the topics. Requests read only these tables; every
 * tenant table has `account_id` first in its primary key.
 */
export class CreateAdmin1764720000100 implements MigrationInterface {
  name = 'CreateAdmin1764720000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tokens (
        token_id text PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'tenant')),
        account_id text,
        token_sha256 text NOT NULL UNIQUE,
        prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK ((role = 'tenant') = (account_id IS NOT NULL))
      )`);
    await queryRunner.query(`COMMENT ON TABLE tokens IS
      'Bearer tokens of the API, by the SHA-256 of the token: the token itself is shown once and never stored'`);

    await queryRunner.query(`
      CREATE TABLE accounts (
        account_id text PRIMARY KEY,
        name text,
        currency text NOT NULL DEFAULT 'USD',
        tier text,
        status text NOT NULL DEFAULT 'active',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON COLUMN accounts.name IS
      'Null for an account admin has only seen in events (usage opens accounts in the ledger)'`);

    await queryRunner.query(`
      CREATE TABLE balances (
        account_id text NOT NULL,
        api_key_id text NOT NULL DEFAULT '',
        sequence bigint NOT NULL,
        period_start timestamptz,
        period_end timestamptz,
        allowance numeric(38,12) NOT NULL,
        used numeric(38,12) NOT NULL,
        remaining numeric(38,12) NOT NULL,
        extra_credit_remaining numeric(38,12) NOT NULL,
        available numeric(38,12) NOT NULL,
        available_percent integer NOT NULL,
        alert_level text NOT NULL,
        over_soft_limit boolean NOT NULL,
        over_hard_limit boolean NOT NULL,
        overage numeric(38,12) NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (account_id, api_key_id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE balances IS
      'The latest ledger.balance-changed per account (api_key_id '''') and per key: a record whose sequence is not above the stored one is ignored'`);

    await queryRunner.query(`
      CREATE TABLE api_keys (
        account_id text NOT NULL,
        api_key_id text NOT NULL,
        name text NOT NULL,
        prefix text NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz,
        PRIMARY KEY (account_id, api_key_id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE api_keys IS
      'Keys as the ledger answered admin''s commands: never a secret or its hash'`);

    await queryRunner.query(`
      CREATE TABLE credit_requests (
        account_id text NOT NULL,
        idempotency_key text NOT NULL,
        kind text NOT NULL,
        amount numeric(38,12) NOT NULL,
        reason text NOT NULL,
        transaction_id text,
        posted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, idempotency_key)
      )`);
    await queryRunner.query(`COMMENT ON TABLE credit_requests IS
      'The request each idempotency key was first used for: a repeat answers its transaction, another request under the key is refused'`);

    await queryRunner.query(`
      CREATE TABLE transactions (
        account_id text NOT NULL,
        transaction_id text NOT NULL,
        kind text NOT NULL,
        amount numeric(38,12) NOT NULL,
        occurred_at timestamptz NOT NULL,
        posted_at timestamptz NOT NULL,
        funding_allowance numeric(38,12),
        funding_credit numeric(38,12),
        funding_bonus numeric(38,12),
        funding_overage numeric(38,12),
        PRIMARY KEY (account_id, transaction_id)
      )`);
    await queryRunner.query(
      'CREATE INDEX transactions_by_posting ON transactions (account_id, posted_at, transaction_id)',
    );
    await queryRunner.query(`COMMENT ON COLUMN transactions.amount IS
      'The net change of the tenant''s funds (allowance + credit + overage): usage is negative'`);
    await queryRunner.query(`COMMENT ON COLUMN transactions.funding_credit IS
      'Usage only: the part paid from purchased credit; funding_bonus the part from granted credit (ADR 0035)'`);

    await queryRunner.query(`
      CREATE TABLE credit_pools (
        account_id text PRIMARY KEY,
        paid numeric(38,12) NOT NULL DEFAULT 0,
        bonus numeric(38,12) NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(`COMMENT ON TABLE credit_pools IS
      'The ledger keeps one credit wallet; admin splits it into purchased and granted credit to attribute what usage consumed (ADR 0035)'`);

    const rollup = `
        cost numeric(38,12) NOT NULL DEFAULT 0,
        tokens bigint NOT NULL DEFAULT 0,
        requests bigint NOT NULL DEFAULT 0`;
    await queryRunner.query(`
      CREATE TABLE usage_daily (
        account_id text NOT NULL,
        day date NOT NULL,
        service text NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        api_key_id text NOT NULL,
        ${rollup},
        PRIMARY KEY (account_id, day, service, provider, model, api_key_id)
      )`);
    await queryRunner.query(`COMMENT ON TABLE usage_daily IS
      'Usage per account and UTC day of occurrence: cost as the ledger charged it (ledger.transactions), tokens and requests from usage.rated. api_key_id '''' is usage without a key'`);
    await queryRunner.query(`
      CREATE TABLE account_daily (
        account_id text NOT NULL,
        day date NOT NULL,
        ${rollup},
        PRIMARY KEY (account_id, day)
      )`);
    await queryRunner.query(`
      CREATE TABLE system_daily (
        day date NOT NULL,
        service text NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        ${rollup},
        PRIMARY KEY (day, service, provider, model)
      )`);
    await queryRunner.query(`COMMENT ON TABLE system_daily IS
      'Usage of all accounts per day: system analytics read it instead of tenant tables'`);
    await queryRunner.query(`
      CREATE TABLE system_totals (
        id smallint PRIMARY KEY CHECK (id = 1),
        accounts bigint NOT NULL DEFAULT 0,
        extra_credit_remaining numeric(38,12) NOT NULL DEFAULT 0,
        level_green bigint NOT NULL DEFAULT 0,
        level_yellow bigint NOT NULL DEFAULT 0,
        level_orange bigint NOT NULL DEFAULT 0,
        level_red bigint NOT NULL DEFAULT 0,
        level_critical bigint NOT NULL DEFAULT 0
      )`);
    await queryRunner.query('INSERT INTO system_totals (id) VALUES (1)');
    await queryRunner.query(`COMMENT ON TABLE system_totals IS
      'Counters kept as accounts and balances change, so the system summary counts nothing at request time'`);

    await queryRunner.query(`
      CREATE TABLE alerts (
        account_id text NOT NULL,
        alert_id text NOT NULL,
        api_key_id text,
        kind text NOT NULL,
        state text NOT NULL,
        resolves text,
        level text NOT NULL,
        percent integer NOT NULL,
        amount numeric(38,12),
        period_start timestamptz,
        message text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (account_id, alert_id)
      )`);
    await queryRunner.query('CREATE INDEX alerts_by_time ON alerts (account_id, at, alert_id)');

    await queryRunner.query(`
      CREATE TABLE payments (
        account_id text NOT NULL,
        payment_id text NOT NULL,
        kind text NOT NULL,
        trigger text NOT NULL,
        credit_amount numeric(38,12) NOT NULL,
        paid_amount numeric(38,12) NOT NULL,
        paid_currency text NOT NULL,
        stripe_ref_masked text,
        at timestamptz NOT NULL,
        PRIMARY KEY (account_id, payment_id)
      )`);
    await queryRunner.query(`COMMENT ON COLUMN payments.stripe_ref_masked IS
      'Only the Stripe reference''s type and last characters: tenants see this table'`);

    await queryRunner.query(`
      CREATE TABLE topup_status (
        account_id text PRIMARY KEY,
        sequence bigint NOT NULL,
        enabled boolean NOT NULL,
        state text NOT NULL,
        pending_since timestamptz,
        cooldown_until timestamptz,
        month_auto_paid numeric(38,12) NOT NULL,
        monthly_limit numeric(38,12) NOT NULL,
        paid_currency text NOT NULL,
        at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'topup_status',
      'payments',
      'alerts',
      'system_totals',
      'system_daily',
      'account_daily',
      'usage_daily',
      'credit_pools',
      'transactions',
      'credit_requests',
      'api_keys',
      'balances',
      'accounts',
      'tokens',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
