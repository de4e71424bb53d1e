import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { BudgetDefinition, PeriodKind, PeriodState } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

/** A budget as stored: its definition and the figures of its current period. */
export interface StoredBudget {
  readonly accountId: string;
  /** null for the account's own budget. */
  readonly apiKeyId: string | null;
  definition: BudgetDefinition;
  state: PeriodState;
}

/** A budgets row as pg returns it (or as JSON, with timestamps as strings). */
export interface BudgetRow {
  account_id: string;
  api_key_id: string;
  period: PeriodKind;
  reset_day: number | null;
  anchor_start: Date | string | null;
  limit_amount: string;
  soft_limit_percent: string;
  hard_limit: boolean;
  overage_limit: string;
  rollover_max_percent: string;
  prorate: boolean;
  expires_at: Date | string | null;
  grace_period_hours: string;
  active: boolean;
  created_at: Date | string;
  period_start: Date | string | null;
  period_end: Date | string | null;
  allowance: string;
  allowance_remaining: string;
  used: string;
  rolled_over: string;
  overage: string;
  used_from_earlier: string;
}

/** Budgets in SQL, a whole batch of accounts at a time. */
@Injectable()
export class BudgetStore {
  /** The budgets of these accounts (and of their keys), locked for this transaction. */
  async lock(manager: EntityManager, accountIds: string[]): Promise<StoredBudget[]> {
    return this.select(manager, accountIds, 'FOR UPDATE');
  }

  /**
   * The budgets of these accounts (and of their keys) as the transaction's snapshot sees
   * them, without a row lock: for readers, which must neither wait for a posting nor make
   * one wait (under REPEATABLE READ a lock on a row updated since the snapshot even fails).
   */
  async read(manager: EntityManager, accountIds: string[]): Promise<StoredBudget[]> {
    return this.select(manager, accountIds, '');
  }

  /**
   * Up to `limit` accounts after `after`, in account order, with a budget (theirs or a key's)
   * whose current period ended by `now`: their resets are due and not yet posted. A plain read.
   */
  async periodsEnded(
    manager: EntityManager,
    now: Date,
    after: string,
    limit: number,
  ): Promise<string[]> {
    const rows: Array<{ account_id: string }> = await manager.query(
      `SELECT DISTINCT account_id FROM budgets
       WHERE period_end IS NOT NULL AND period_end <= $1 AND account_id > $2
       ORDER BY account_id LIMIT $3`,
      [now, after, limit],
    );
    return rows.map((row) => row.account_id);
  }

  /** Writes the budgets of a batch in one statement. */
  async save(manager: EntityManager, budgets: readonly StoredBudget[]): Promise<void> {
    if (budgets.length === 0) return;
    const column = <T>(pick: (budget: StoredBudget) => T) => budgets.map(pick);
    await manager.query(
      `INSERT INTO budgets (account_id, api_key_id, period, reset_day, anchor_start, limit_amount, soft_limit_percent, hard_limit,
         overage_limit, rollover_max_percent, prorate, expires_at, grace_period_hours, active, created_at,
         period_start, period_end, allowance, allowance_remaining, used, rolled_over, overage, used_from_earlier)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::numeric[], $7::numeric[],
         $8::boolean[], $9::numeric[], $10::numeric[], $11::boolean[], $12::timestamptz[], $13::numeric[], $14::boolean[],
         $15::timestamptz[], $16::timestamptz[], $17::timestamptz[], $18::numeric[], $19::numeric[], $20::numeric[], $21::numeric[], $22::numeric[], $23::numeric[])
       ON CONFLICT (account_id, api_key_id) DO UPDATE SET
         period = EXCLUDED.period, reset_day = EXCLUDED.reset_day, anchor_start = EXCLUDED.anchor_start,
         limit_amount = EXCLUDED.limit_amount, soft_limit_percent = EXCLUDED.soft_limit_percent, hard_limit = EXCLUDED.hard_limit,
         overage_limit = EXCLUDED.overage_limit, rollover_max_percent = EXCLUDED.rollover_max_percent, prorate = EXCLUDED.prorate,
         expires_at = EXCLUDED.expires_at, grace_period_hours = EXCLUDED.grace_period_hours, active = EXCLUDED.active,
         period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end, allowance = EXCLUDED.allowance,
         allowance_remaining = EXCLUDED.allowance_remaining, used = EXCLUDED.used, rolled_over = EXCLUDED.rolled_over,
         overage = EXCLUDED.overage, used_from_earlier = EXCLUDED.used_from_earlier`,
      [
        column((b) => b.accountId),
        column((b) => b.apiKeyId ?? ''),
        column((b) => b.definition.period),
        column((b) => b.definition.resetDay ?? null),
        column((b) => b.definition.anchorStart ?? null),
        column((b) => b.definition.limit.toFixed()),
        column((b) => b.definition.softLimitPercent.toFixed()),
        column((b) => b.definition.hardLimit),
        column((b) => b.definition.overageLimit.toFixed()),
        column((b) => b.definition.rolloverMaxPercent.toFixed()),
        column((b) => b.definition.prorate),
        column((b) => b.definition.expiresAt ?? null),
        column((b) => String(b.definition.gracePeriodHours)),
        column((b) => b.definition.active),
        column((b) => b.definition.createdAt),
        column((b) => b.state.period.start),
        column((b) => b.state.period.end),
        column((b) => b.state.allowance.toFixed()),
        column((b) => b.state.allowanceRemaining.toFixed()),
        column((b) => b.state.used.toFixed()),
        column((b) => b.state.rolledOver.toFixed()),
        column((b) => b.state.overage.toFixed()),
        column((b) => b.state.usedFromEarlier.toFixed()),
      ],
    );
  }

  private async select(
    manager: EntityManager,
    accountIds: string[],
    locking: 'FOR UPDATE' | '',
  ): Promise<StoredBudget[]> {
    const rows: BudgetRow[] = await manager.query(
      `SELECT * FROM budgets WHERE account_id = ANY($1::text[]) ORDER BY account_id, api_key_id ${locking}`,
      [accountIds],
    );
    return rows.map(budgetFromRow);
  }
}

/**
 * An SQL expression: the budgets of the account named by `accountParam` (e.g. `$1`) as a JSON
 * array of rows, numerics as strings (a JSON number would lose digits), for `budgetFromRow`.
 * Lets a caller read budgets in the same statement (and snapshot) as other facts.
 */
export function budgetsAsJson(accountParam: string): string {
  return `(SELECT coalesce(json_agg(json_build_object(
      'account_id', account_id, 'api_key_id', api_key_id, 'period', period, 'reset_day', reset_day,
      'anchor_start', anchor_start, 'limit_amount', limit_amount::text, 'soft_limit_percent', soft_limit_percent::text,
      'hard_limit', hard_limit, 'overage_limit', overage_limit::text, 'rollover_max_percent', rollover_max_percent::text,
      'prorate', prorate, 'expires_at', expires_at, 'grace_period_hours', grace_period_hours::text, 'active', active,
      'created_at', created_at, 'period_start', period_start, 'period_end', period_end, 'allowance', allowance::text,
      'allowance_remaining', allowance_remaining::text, 'used', used::text, 'rolled_over', rolled_over::text,
      'overage', overage::text, 'used_from_earlier', used_from_earlier::text)
      ORDER BY api_key_id), '[]')
    FROM budgets WHERE account_id = ${accountParam})`;
}

export function budgetFromRow(row: BudgetRow): StoredBudget {
  const date = (value: Date | string) => new Date(value);
  return {
    accountId: row.account_id,
    apiKeyId: row.api_key_id === '' ? null : row.api_key_id,
    definition: {
      period: row.period,
      ...(row.reset_day !== null ? { resetDay: row.reset_day } : {}),
      ...(row.anchor_start ? { anchorStart: date(row.anchor_start) } : {}),
      limit: new Decimal(row.limit_amount),
      softLimitPercent: new Decimal(row.soft_limit_percent),
      hardLimit: row.hard_limit,
      overageLimit: new Decimal(row.overage_limit),
      rolloverMaxPercent: new Decimal(row.rollover_max_percent),
      prorate: row.prorate,
      createdAt: date(row.created_at),
      ...(row.expires_at ? { expiresAt: date(row.expires_at) } : {}),
      gracePeriodHours: Number(row.grace_period_hours),
      active: row.active,
    },
    state: {
      period: {
        start: row.period_start ? date(row.period_start) : null,
        end: row.period_end ? date(row.period_end) : null,
      },
      allowance: new Decimal(row.allowance),
      allowanceRemaining: new Decimal(row.allowance_remaining),
      used: new Decimal(row.used),
      rolledOver: new Decimal(row.rolled_over),
      overage: new Decimal(row.overage),
      usedFromEarlier: new Decimal(row.used_from_earlier),
    },
  };
}
