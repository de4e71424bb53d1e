import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { FREE_PLAN, couponPercentInForce } from '@tally/budget-domain';
import type { ChargeTerms, Plan } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';
import { moveFactsVersionsSql } from '../books/facts-versions';

/** A plan as stored, with when it was last set. */
export interface StoredPlan extends Plan {
  readonly updatedAt: Date;
}

/**
 * What an account's usage is charged on at an instant: its plan and the percent coupon in
 * force (ChargeTerms), the monthly cap in force, and the month's counters so far.
 */
export interface AccountChargeTerms extends ChargeTerms {
  readonly planName: string;
  /** The account's own cap, else its plan's; null: no cap. */
  readonly monthlyCap: Decimal | null;
  readonly monthTokens: number;
  readonly monthCharged: Decimal;
}

/** An account's cap and month as `ledger.get-monthly-cap` reads them. */
export interface MonthlyCapFacts {
  readonly planName: string;
  readonly accountCap: Decimal | null;
  readonly planCap: Decimal | null;
  readonly monthTokens: number;
  readonly monthCharged: Decimal;
}

/** One account's month to add: what a slice posted. */
export interface MonthDelta {
  readonly accountId: string;
  readonly tokens: number;
  readonly charged: Decimal;
}

interface PlanRow {
  name: string;
  markup_percent_paid: string;
  markup_percent_free: string;
  volume_tiers: Array<{ from_tokens: number; percent: string }>;
  included_allowance: string | null;
  monthly_cap: string | null;
  updated_at: Date | string;
}

/** The terms as `chargeTermsSql` gives them (JSON: numerics as text). */
export interface ChargeTermsRow {
  plan: PlanRow | null;
  account_cap: string | null;
  month: { tokens: string; charged: string } | null;
  discounts: Array<{ percent: string; ends_at: string }>;
}

const PLAN_JSON = `json_build_object('name', p.name, 'markup_percent_paid', p.markup_percent_paid::text,
  'markup_percent_free', p.markup_percent_free::text, 'volume_tiers', p.volume_tiers,
  'included_allowance', p.included_allowance::text, 'monthly_cap', p.monthly_cap::text, 'updated_at', p.updated_at)`;

/**
 * An SQL expression: the charge terms of the account named by `account` at the month (a date)
 * and instant the other parameters name, as JSON for `chargeTermsFromRow`. Lets the posting
 * read them for a whole slice, and an authorization in the statement of its other facts.
 */
export function chargeTermsSql(params: { account: string; month: string; now: string }): string {
  const { account, month, now } = params;
  return `(SELECT json_build_object(
      'plan', (SELECT ${PLAN_JSON} FROM plans AS p WHERE p.name = coalesce(ap.plan_name, 'free')),
      'account_cap', ap.monthly_cap::text,
      'month', (SELECT json_build_object('tokens', m.tokens::text, 'charged', m.charged::text)
                FROM monthly_usage AS m WHERE m.account_id = ${account} AND m.month = ${month}),
      'discounts', (SELECT coalesce(json_agg(json_build_object('percent', r.percent::text, 'ends_at', r.discount_ends_at)), '[]'::json)
                    FROM coupon_redemptions AS r
                    WHERE r.account_id = ${account} AND r.percent IS NOT NULL AND r.discount_ends_at > ${now}))
    FROM (SELECT 1) AS one LEFT JOIN account_plans AS ap ON ap.account_id = ${account})`;
}

/**
 * The account's plan name (free without an assignment) and its plans row's version (`xmin`,
 * null while the row does not exist), as a one-row subquery: a plan's terms are not in the
 * account's facts version (ADR 0048).
 */
export function planVersionSql(account: string): string {
  return `(SELECT coalesce(ap.plan_name, 'free') AS plan_name,
      (SELECT xmin::text FROM plans WHERE name = coalesce(ap.plan_name, 'free')) AS plan_version
    FROM (SELECT 1) AS one LEFT JOIN account_plans AS ap ON ap.account_id = ${account})`;
}

export function chargeTermsFromRow(row: ChargeTermsRow, now: Date): AccountChargeTerms {
  const plan = row.plan ? planFromRow(row.plan) : FREE_PLAN;
  return {
    plan,
    planName: plan.name,
    couponPercent: couponPercentInForce(
      row.discounts.map((discount) => ({
        percent: new Decimal(discount.percent),
        endsAt: new Date(discount.ends_at),
      })),
      now,
    ),
    monthlyCap: row.account_cap !== null ? new Decimal(row.account_cap) : plan.monthlyCap,
    monthTokens: Number(row.month?.tokens ?? 0),
    monthCharged: new Decimal(row.month?.charged ?? 0),
  };
}

/** The month counters' key: the first day of the calendar month (UTC), as a date. */
export function monthKey(month: Date): string {
  return month.toISOString().slice(0, 10);
}

/** Plans, their assignment to accounts, and the accounts' monthly counters in SQL. */
@Injectable()
export class PlansStore {
  /** The charge terms of these accounts at `now`, in one statement (accounts without a plan are on free). */
  async chargeTerms(
    manager: EntityManager,
    accountIds: readonly string[],
    month: Date,
    now: Date,
  ): Promise<Map<string, AccountChargeTerms>> {
    const rows: Array<{ account_id: string; terms: ChargeTermsRow }> = await manager.query(
      `SELECT a.account_id, ${chargeTermsSql({ account: 'a.account_id', month: '$2::date', now: '$3' })} AS terms
       FROM unnest($1::text[]) AS a(account_id)`,
      [accountIds, monthKey(month), now],
    );
    return new Map(rows.map((row) => [row.account_id, chargeTermsFromRow(row.terms, now)]));
  }

  /** Adds what a slice posted to its accounts' month, one statement for all of them. */
  async addToMonth(
    manager: EntityManager,
    month: Date,
    deltas: readonly MonthDelta[],
  ): Promise<void> {
    if (deltas.length === 0) return;
    await manager.query(
      `INSERT INTO monthly_usage (account_id, month, tokens, charged)
       SELECT account_id, $1::date, tokens, charged FROM unnest($2::text[], $3::bigint[], $4::numeric[]) AS d(account_id, tokens, charged)
       ON CONFLICT (account_id, month) DO UPDATE SET
         tokens = monthly_usage.tokens + EXCLUDED.tokens, charged = monthly_usage.charged + EXCLUDED.charged`,
      [
        monthKey(month),
        deltas.map((delta) => delta.accountId),
        deltas.map((delta) => String(delta.tokens)),
        deltas.map((delta) => delta.charged.toFixed()),
      ],
    );
  }

  /** Creates or replaces a plan. */
  async savePlan(manager: EntityManager, plan: Plan, now: Date): Promise<StoredPlan> {
    const rows: PlanRow[] = await manager.query(
      `INSERT INTO plans AS p (name, markup_percent_paid, markup_percent_free, volume_tiers, included_allowance, monthly_cap, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET
         markup_percent_paid = EXCLUDED.markup_percent_paid, markup_percent_free = EXCLUDED.markup_percent_free,
         volume_tiers = EXCLUDED.volume_tiers, included_allowance = EXCLUDED.included_allowance,
         monthly_cap = EXCLUDED.monthly_cap, updated_at = EXCLUDED.updated_at
       RETURNING ${planColumns('p')}`,
      [
        plan.name,
        plan.markupPercentPaid.toFixed(),
        plan.markupPercentFree.toFixed(),
        JSON.stringify(
          plan.volumeTiers.map((tier) => ({
            from_tokens: tier.fromTokens,
            percent: tier.percent.toFixed(),
          })),
        ),
        plan.includedAllowance?.toFixed() ?? null,
        plan.monthlyCap?.toFixed() ?? null,
        now,
      ],
    );
    const [row] = rows;
    if (!row) throw new Error(`saving plan ${plan.name} returned no row`);
    return planFromRow(row);
  }

  async plans(manager: EntityManager): Promise<StoredPlan[]> {
    const rows: PlanRow[] = await manager.query(
      `SELECT ${planColumns('p')} FROM plans AS p ORDER BY p.name`,
    );
    return rows.map(planFromRow);
  }

  async plan(manager: EntityManager, name: string): Promise<StoredPlan | undefined> {
    const [row]: PlanRow[] = await manager.query(
      `SELECT ${planColumns('p')} FROM plans AS p WHERE p.name = $1`,
      [name],
    );
    return row ? planFromRow(row) : undefined;
  }

  /** Whether the account has an `account_plans` row: a plan assigned, or a cap of its own. */
  async hasPlanRow(manager: EntityManager, accountId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM account_plans WHERE account_id = $1',
      [accountId],
    );
    return rows.length > 0;
  }

  /**
   * Puts the account on the plan (its own cap, if any, stays) and names the plan as its tier;
   * false when the account does not exist.
   */
  async assign(
    manager: EntityManager,
    accountId: string,
    planName: string,
    now: Date,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `WITH tier AS (UPDATE accounts SET tier = $2 WHERE account_id = $1 RETURNING account_id)
       INSERT INTO account_plans (account_id, plan_name, assigned_at)
       SELECT account_id, $2, $3 FROM tier
       ON CONFLICT (account_id) DO UPDATE SET plan_name = EXCLUDED.plan_name, assigned_at = EXCLUDED.assigned_at
       RETURNING account_id`,
      [accountId, planName, now],
    );
    return rows.length === 1;
  }

  /** Sets (or with null removes) the account's own monthly cap; false when the account does not exist. */
  async setAccountCap(
    manager: EntityManager,
    accountId: string,
    cap: Decimal | null,
    now: Date,
  ): Promise<boolean> {
    // Not through the books: the cap moves the facts version itself, in the same statement.
    const rows: unknown[] = await manager.query(
      `WITH moved AS (${moveFactsVersionsSql('ARRAY(SELECT account_id FROM accounts WHERE account_id = $1)')})
       INSERT INTO account_plans (account_id, plan_name, monthly_cap, assigned_at)
       SELECT account_id, 'free', $2::numeric, $3 FROM accounts WHERE account_id = $1
       ON CONFLICT (account_id) DO UPDATE SET monthly_cap = EXCLUDED.monthly_cap
       RETURNING account_id`,
      [accountId, cap?.toFixed() ?? null, now],
    );
    return rows.length === 1;
  }

  /** The account's plan, caps and month; undefined when the account does not exist. */
  async monthlyCapFacts(
    manager: EntityManager,
    accountId: string,
    month: Date,
  ): Promise<MonthlyCapFacts | undefined> {
    const [row]: Array<{
      plan_name: string;
      account_cap: string | null;
      plan_cap: string | null;
      tokens: string | null;
      charged: string | null;
    }> = await manager.query(
      `SELECT coalesce(ap.plan_name, 'free') AS plan_name, ap.monthly_cap::text AS account_cap,
         p.monthly_cap::text AS plan_cap, m.tokens::text AS tokens, m.charged::text AS charged
       FROM accounts AS a
       LEFT JOIN account_plans AS ap ON ap.account_id = a.account_id
       LEFT JOIN plans AS p ON p.name = coalesce(ap.plan_name, 'free')
       LEFT JOIN monthly_usage AS m ON m.account_id = a.account_id AND m.month = $2::date
       WHERE a.account_id = $1`,
      [accountId, monthKey(month)],
    );
    if (!row) return undefined;
    return {
      planName: row.plan_name,
      accountCap: row.account_cap !== null ? new Decimal(row.account_cap) : null,
      planCap: row.plan_cap !== null ? new Decimal(row.plan_cap) : null,
      monthTokens: Number(row.tokens ?? 0),
      monthCharged: new Decimal(row.charged ?? 0),
    };
  }
}

function planColumns(alias: string): string {
  return `${alias}.name, ${alias}.markup_percent_paid::text AS markup_percent_paid, ${alias}.markup_percent_free::text AS markup_percent_free,
    ${alias}.volume_tiers, ${alias}.included_allowance::text AS included_allowance, ${alias}.monthly_cap::text AS monthly_cap, ${alias}.updated_at`;
}

function planFromRow(row: PlanRow): StoredPlan {
  return {
    name: row.name,
    markupPercentPaid: new Decimal(row.markup_percent_paid),
    markupPercentFree: new Decimal(row.markup_percent_free),
    volumeTiers: row.volume_tiers.map((tier) => ({
      fromTokens: tier.from_tokens,
      percent: new Decimal(tier.percent),
    })),
    includedAllowance: row.included_allowance !== null ? new Decimal(row.included_allowance) : null,
    monthlyCap: row.monthly_cap !== null ? new Decimal(row.monthly_cap) : null,
    updatedAt: new Date(row.updated_at),
  };
}
