import { Decimal } from 'decimal.js';
import { BUDGET_DEFAULTS, MAX_BUDGET_LIMIT } from '../budget/budget-definition';
import type { BudgetDefinition } from '../budget/budget-definition';
import type { VolumeDiscountTier } from '../rating/rate-usage';

/**
 * What an account pays on top of provider cost (DESIGN 4, Plans): a markup in percent of cost,
 * one for paid models and one for free ones; volume discount tiers by the account's tokens this
 * calendar month (UTC); an allowance the plan includes each month; a monthly spending cap.
 */
export interface Plan {
  readonly name: string;
  readonly markupPercentPaid: Decimal;
  readonly markupPercentFree: Decimal;
  /** Ascending by `fromTokens`: a tier applies to the month's tokens from its `fromTokens` on. */
  readonly volumeTiers: readonly VolumeDiscountTier[];
  /** Given as a monthly budget when the plan is assigned to an account without one (ADR 0044). */
  readonly includedAllowance: Decimal | null;
  /** What the account may be charged in a calendar month (UTC); null: no cap. */
  readonly monthlyCap: Decimal | null;
}

/** The plan of an account that has none assigned: provider cost, nothing more. */
export const FREE_PLAN: Plan = {
  name: 'free',
  markupPercentPaid: new Decimal(0),
  markupPercentFree: new Decimal(0),
  volumeTiers: [],
  includedAllowance: null,
  monthlyCap: null,
};

export class InvalidPlanError extends Error {
  readonly code = 'INVALID_PLAN';
}

/** A markup above this is a typo, not a price. */
export const MAX_MARKUP_PERCENT = new Decimal(1000);
export const MAX_VOLUME_TIERS = 20;
const PLAN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PERCENT_DECIMALS = 6;

/** Checks a plan's figures; returns it with its tiers in ascending order. */
export function assertPlan(plan: Plan): Plan {
  if (!PLAN_NAME.test(plan.name)) {
    throw new InvalidPlanError(
      'name must be 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  for (const [field, percent] of [
    ['markup_percent_paid', plan.markupPercentPaid],
    ['markup_percent_free', plan.markupPercentFree],
  ] as const) {
    assertPercent(field, percent, MAX_MARKUP_PERCENT);
  }
  if (plan.volumeTiers.length > MAX_VOLUME_TIERS)
    throw new InvalidPlanError(`volume_discount_tiers: at most ${MAX_VOLUME_TIERS} tiers`);
  const tiers = [...plan.volumeTiers].sort((a, b) => a.fromTokens - b.fromTokens);
  tiers.forEach((tier, index) => {
    const field = `volume_discount_tiers[${index}]`;
    if (!Number.isSafeInteger(tier.fromTokens) || tier.fromTokens < 0)
      throw new InvalidPlanError(`${field}.from_tokens must be a non-negative integer`);
    if (index > 0 && tiers[index - 1]?.fromTokens === tier.fromTokens)
      throw new InvalidPlanError(`${field}: two tiers start at ${tier.fromTokens} tokens`);
    assertPercent(`${field}.percent`, tier.percent, new Decimal(100));
  });
  for (const [field, amount] of [
    ['included_allowance', plan.includedAllowance],
    ['monthly_cap', plan.monthlyCap],
  ] as const) {
    if (amount !== null && !amount.greaterThan(0))
      throw new InvalidPlanError(`${field} must be greater than 0, or null for none`);
  }
  if (plan.includedAllowance?.greaterThan(MAX_BUDGET_LIMIT))
    throw new InvalidPlanError('included_allowance must be at most 10^12, as a budget limit is');
  return { ...plan, volumeTiers: tiers };
}

function assertPercent(field: string, percent: Decimal, max: Decimal): void {
  if (!percent.isFinite() || percent.isNegative() || percent.greaterThan(max))
    throw new InvalidPlanError(`${field} must be from 0 to ${max.toFixed()}`);
  if (percent.decimalPlaces() > PERCENT_DECIMALS)
    throw new InvalidPlanError(`${field} has more than ${PERCENT_DECIMALS} decimals`);
}

/**
 * A free model costs its reseller nothing from a provider: self-hosted (`local`) models and
 * OpenRouter's `:free` variants. The catalog prices them at 0, so their markup is 0 unless a
 * catalog file gives them an internal price (a charge-back of self-hosted capacity).
 */
export function isFreeModel(provider: string, model: string): boolean {
  return provider === 'local' || model.endsWith(':free');
}

/**
 * The budget a plan's included allowance becomes for an account that has none (ADR 0044): the
 * allowance each calendar month (UTC), in full from the month of the assignment, unused
 * allowance expiring at the month's end; a hard limit, as an account without a budget has.
 */
export function includedAllowanceBudget(allowance: Decimal, createdAt: Date): BudgetDefinition {
  return {
    period: 'monthly',
    resetDay: 1,
    limit: allowance,
    softLimitPercent: BUDGET_DEFAULTS.softLimitPercent,
    hardLimit: true,
    overageLimit: BUDGET_DEFAULTS.overageLimit,
    rolloverMaxPercent: BUDGET_DEFAULTS.rolloverMaxPercent,
    prorate: false,
    createdAt,
    gracePeriodHours: BUDGET_DEFAULTS.gracePeriodHours,
    active: true,
  };
}
