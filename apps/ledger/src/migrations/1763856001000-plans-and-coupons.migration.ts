import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plans, the accounts' assignments and monthly counters, coupons and their redemptions
 * (DESIGN 4, Plans; ADRs 0042–0044); usage lines gain what the plan made of their cost.
 */
export class PlansAndCoupons1763856001000 implements MigrationInterface {
  name = 'PlansAndCoupons1763856001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE plans (
        name text PRIMARY KEY,
        markup_percent_paid numeric(12,6) NOT NULL,
        markup_percent_free numeric(12,6) NOT NULL,
        volume_tiers jsonb NOT NULL,
        included_allowance numeric(38,12),
        monthly_cap numeric(38,12),
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`COMMENT ON COLUMN plans.volume_tiers IS
      'Ascending [{ from_tokens, percent }]: the discount of the month''s tokens from from_tokens on, percents as text'`);
    // An account without an assignment is on free: it exists from the start, and may be redefined.
    await queryRunner.query(`
      INSERT INTO plans (name, markup_percent_paid, markup_percent_free, volume_tiers, updated_at)
      VALUES ('free', 0, 0, '[]', now())`);
    await queryRunner.query(`
      CREATE TABLE account_plans (
        account_id text PRIMARY KEY,
        plan_name text NOT NULL,
        monthly_cap numeric(38,12),
        assigned_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`COMMENT ON COLUMN account_plans.monthly_cap IS
      'The account''s own monthly cap (ledger.set-monthly-cap): in force instead of its plan''s; null: the plan''s'`);
    await queryRunner.query(`
      CREATE TABLE monthly_usage (
        account_id text NOT NULL,
        month date NOT NULL,
        tokens bigint NOT NULL,
        charged numeric(38,12) NOT NULL,
        PRIMARY KEY (account_id, month)
      )`);
    await queryRunner.query(`COMMENT ON TABLE monthly_usage IS
      'Tokens and charges of usage posted in a calendar month (UTC) of the posting: volume tiers and the monthly cap read it; one row per account per month, moved once per consumed slice'`);
    await queryRunner.query(`
      CREATE TABLE coupons (
        code text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('credit', 'percent')),
        amount numeric(38,12),
        percent numeric(9,6),
        duration_days integer,
        expires_at timestamptz,
        max_redemptions integer,
        redemptions integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        CHECK (max_redemptions IS NULL OR redemptions <= max_redemptions),
        CHECK ((kind = 'credit') = (amount IS NOT NULL)),
        CHECK ((kind = 'percent') = (percent IS NOT NULL AND duration_days IS NOT NULL))
      )`);
    await queryRunner.query(`COMMENT ON COLUMN coupons.redemptions IS
      'Claimed by a conditional UPDATE (below max_redemptions, not expired) in the redemption''s transaction: never read, then written'`);
    await queryRunner.query(`
      CREATE TABLE coupon_redemptions (
        account_id text NOT NULL,
        code text NOT NULL,
        redeemed_at timestamptz NOT NULL,
        percent numeric(9,6),
        discount_ends_at timestamptz,
        transaction_id uuid,
        PRIMARY KEY (account_id, code)
      )`);
    await queryRunner.query(`COMMENT ON TABLE coupon_redemptions IS
      'Once per (account, coupon): the key makes a second redemption by the same account fail'`);

    await queryRunner.query(`
      ALTER TABLE usage_lines
        ADD COLUMN tokens bigint NOT NULL DEFAULT 0,
        ADD COLUMN markup numeric(38,12) NOT NULL DEFAULT 0,
        ADD COLUMN discount numeric(38,12) NOT NULL DEFAULT 0,
        ADD COLUMN charged numeric(38,12)`);
    // Lines posted before plans were charged their cost.
    await queryRunner.query('UPDATE usage_lines SET charged = cost');
    await queryRunner.query(`
      ALTER TABLE usage_lines
        ALTER COLUMN charged SET NOT NULL,
        ALTER COLUMN tokens DROP DEFAULT,
        ALTER COLUMN markup DROP DEFAULT,
        ALTER COLUMN discount DROP DEFAULT`);
    await queryRunner.query(`COMMENT ON COLUMN usage_lines.charged IS
      'cost + markup − discount: what the account pays, and what funds and revenue move by'`);
    // The counters of what was posted before them, so that reconciliation finds them equal.
    await queryRunner.query(`
      INSERT INTO monthly_usage (account_id, month, tokens, charged)
      SELECT l.account_id, date_trunc('month', t.posted_at AT TIME ZONE 'UTC')::date, 0, sum(l.charged)
      FROM usage_lines AS l
      JOIN transactions AS t ON t.account_id = l.account_id AND t.transaction_id = l.transaction_id
      GROUP BY 1, 2`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE usage_lines DROP COLUMN tokens, DROP COLUMN markup, DROP COLUMN discount, DROP COLUMN charged',
    );
    await queryRunner.query('DROP TABLE coupon_redemptions');
    await queryRunner.query('DROP TABLE coupons');
    await queryRunner.query('DROP TABLE monthly_usage');
    await queryRunner.query('DROP TABLE account_plans');
    await queryRunner.query('DROP TABLE plans');
  }
}
