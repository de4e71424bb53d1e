import { Decimal } from 'decimal.js';
import type { PeriodRule } from './budget-period';
import { assertPeriodRule } from './budget-period';

/** A budget as set by `ledger.set-budget`, for an account or an API key inside it. */
export interface BudgetDefinition extends PeriodRule {
  /** Allowance per period. */
  readonly limit: Decimal;
  /** Warn from this percent of the allowance (default 80). */
  readonly softLimitPercent: Decimal;
  /** Block at 100 % (plus overageLimit, if any); without it, spending beyond is recorded as overage. */
  readonly hardLimit: boolean;
  /** With a hard limit: how far beyond the allowance and credit spending may go, tracked as overage. */
  readonly overageLimit: Decimal;
  /** Unused allowance carried into the next period, at most this percent of the limit (0 = none). */
  readonly rolloverMaxPercent: Decimal;
  /** A budget created mid-period gets the remaining share of its first allowance. */
  readonly prorate: boolean;
  readonly createdAt: Date;
  readonly expiresAt?: Date;
  readonly gracePeriodHours: number;
  readonly active: boolean;
}

export class InvalidBudgetError extends Error {
  constructor(
    readonly code: 'INVALID_LIMIT' | 'INVALID_PERCENT' | 'INVALID_PERIOD_RULE' | 'INVALID_GRACE',
    message: string,
  ) {
    super(message);
  }
}

export const BUDGET_DEFAULTS = {
  softLimitPercent: new Decimal(80),
  overageLimit: new Decimal(0),
  rolloverMaxPercent: new Decimal(0),
  gracePeriodHours: 0,
} as const;

/** Decimals a budget's percents keep. */
export const PERCENT_SCALE = 4;

/**
 * The largest limit and overage limit: far beyond any period's spend, and far enough below
 * NUMERIC(38,12) that the figures built on them (allowance plus rollover plus credit) stay
 * amounts every reader takes (ADR 0097).
 */
export const MAX_BUDGET_LIMIT = new Decimal('1000000000000');

/** Checks a definition's numbers; returns it unchanged. */
export function assertBudget(budget: BudgetDefinition): BudgetDefinition {
  try {
    assertPeriodRule(budget);
  } catch (error) {
    throw new InvalidBudgetError('INVALID_PERIOD_RULE', (error as Error).message);
  }
  if (budget.limit.isNegative() || !budget.limit.isFinite())
    throw new InvalidBudgetError('INVALID_LIMIT', 'limit must be a non-negative amount');
  if (budget.overageLimit.isNegative())
    throw new InvalidBudgetError('INVALID_LIMIT', 'overage_limit must not be negative');
  for (const [name, value] of [
    ['limit', budget.limit],
    ['overage_limit', budget.overageLimit],
  ] as const) {
    if (value.greaterThan(MAX_BUDGET_LIMIT))
      throw new InvalidBudgetError('INVALID_LIMIT', `${name} must be at most 10^12`);
  }
  for (const [name, value] of [
    ['soft_limit_percent', budget.softLimitPercent],
    ['rollover_max_percent', budget.rolloverMaxPercent],
  ] as const) {
    if (value.isNegative() || value.greaterThan(100))
      throw new InvalidBudgetError('INVALID_PERCENT', `${name} must be from 0 to 100`);
    // The budgets table keeps percents as NUMERIC(7,4): more decimals would be rounded away
    // after the reply acknowledged them, and the reset would apply another rollover cap.
    if (value.decimalPlaces() > PERCENT_SCALE)
      throw new InvalidBudgetError(
        'INVALID_PERCENT',
        `${name} must have at most ${PERCENT_SCALE} decimals`,
      );
  }
  if (!Number.isFinite(budget.gracePeriodHours) || budget.gracePeriodHours < 0) {
    throw new InvalidBudgetError('INVALID_GRACE', 'grace_period_hours must not be negative');
  }
  return budget;
}

export type BudgetValidity = 'active' | 'in_grace' | 'expired' | 'inactive';

/** After expires_at the budget runs on its grace period; after that, spending is refused. */
export function budgetValidity(
  budget: Pick<BudgetDefinition, 'active' | 'expiresAt' | 'gracePeriodHours'>,
  now: Date,
): BudgetValidity {
  if (!budget.active) return 'inactive';
  if (!budget.expiresAt || now.getTime() < budget.expiresAt.getTime()) return 'active';
  const graceEnd = budget.expiresAt.getTime() + budget.gracePeriodHours * 3_600_000;
  return now.getTime() < graceEnd ? 'in_grace' : 'expired';
}

/** The rollover cap's two names: the command table's, and DESIGN 4's budget rules'. */
interface RolloverNames<P> {
  readonly rollover_max_percent?: P;
  readonly max_rollover_percent?: P;
}

export const ONE_ROLLOVER_NAME =
  'give rollover_max_percent or max_rollover_percent (two names of one field), not both';

/** A set-budget request names the rollover cap at most once (ADR 0093). */
export function namesRolloverOnce<P>(request: RolloverNames<P>): boolean {
  return request.rollover_max_percent === undefined || request.max_rollover_percent === undefined;
}

/** The request with its rollover cap under the command table's name, whichever name it came by. */
export function withRolloverMaxPercent<P, R extends RolloverNames<P>>(
  request: R,
): Omit<R, 'max_rollover_percent'> {
  const { max_rollover_percent: designName, ...rest } = request;
  return designName === undefined ? rest : { ...rest, rollover_max_percent: designName };
}
