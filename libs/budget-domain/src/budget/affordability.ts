import { Decimal } from 'decimal.js';
import type { BudgetStatus } from './budget-status';
import type { BudgetValidity } from './budget-definition';
import { presentBooksAmount } from '../money/currency';

export type RefusalCode =
  | 'BUDGET_EXHAUSTED'
  | 'BUDGET_EXPIRED'
  | 'API_KEY_BUDGET_EXHAUSTED'
  | 'ACCOUNT_INACTIVE'
  | 'MONTHLY_CAP_REACHED';

export type Affordability =
  { affordable: true } | { affordable: false; errorCode: RefusalCode; message: string };

/** In RED and CRITICAL, an account living on its allowance alone may only make small calls. */
export interface AffordabilityCaps {
  readonly red: Decimal;
  readonly critical: Decimal;
}

export const DEFAULT_AFFORDABILITY_CAPS: AffordabilityCaps = {
  red: new Decimal('0.05'),
  critical: new Decimal('0.01'),
};

/** The spending limits of one budget level (the account, or an API key inside it). */
export interface SpendLimits {
  readonly status: BudgetStatus;
  readonly validity: BudgetValidity;
  /** With a hard limit, spending stops at available (+ overage headroom); without one it never stops. */
  readonly hardLimit: boolean;
  readonly overageLimit: Decimal;
}

/** The account's monthly spending cap and what counts against it this calendar month. */
export interface MonthlyCapFacts {
  readonly cap: Decimal;
  /** Usage charged this month. */
  readonly charged: Decimal;
  /** Live holds: each may become a charge this month. */
  readonly held: Decimal;
}

const ZERO = new Decimal(0);

/**
 * Whether a cost may be spent now. A spend must fit the key's budget, the account's and the
 * account's monthly cap.
 * Holds are already subtracted from `available`; alert levels and caps look at posted spend.
 */
export function checkAffordability(input: {
  readonly cost: Decimal;
  readonly accountActive: boolean;
  readonly account: SpendLimits;
  readonly key?: SpendLimits;
  readonly caps?: AffordabilityCaps;
  readonly monthlyCap?: MonthlyCapFacts;
}): Affordability {
  if (!input.accountActive) return refuse('ACCOUNT_INACTIVE', 'the account is inactive');
  for (const level of [input.account, input.key]) {
    if (level?.validity === 'expired')
      return refuse('BUDGET_EXPIRED', 'the budget expired and its grace period is over');
  }
  if (input.account.validity === 'inactive')
    return refuse('ACCOUNT_INACTIVE', 'the account budget is inactive');
  // Before the funds: no top-up lifts a cap, so it is the reason to name.
  const cap = input.monthlyCap;
  if (cap && cap.charged.plus(cap.held).plus(input.cost).greaterThan(cap.cap)) {
    return refuse(
      'MONTHLY_CAP_REACHED',
      `the monthly cap of ${presentBooksAmount(cap.cap)} leaves ${presentBooksAmount(Decimal.max(cap.cap.minus(cap.charged).minus(cap.held), ZERO))} this month`,
    );
  }
  if (input.key && input.key.validity !== 'inactive' && !fits(input.cost, input.key)) {
    return refuse(
      'API_KEY_BUDGET_EXHAUSTED',
      `the API key budget has ${presentBooksAmount(input.key.status.available)} available`,
    );
  }
  if (!fits(input.cost, input.account)) {
    return refuse(
      'BUDGET_EXHAUSTED',
      `the account has ${presentBooksAmount(input.account.status.available)} available`,
    );
  }
  const caps = input.caps ?? DEFAULT_AFFORDABILITY_CAPS;
  const onAllowanceAlone = input.account.status.extraCreditRemaining.lessThanOrEqualTo(0);
  if (
    onAllowanceAlone &&
    input.account.status.alertLevel === 'CRITICAL' &&
    input.cost.greaterThanOrEqualTo(caps.critical)
  ) {
    return refuse(
      'BUDGET_EXHAUSTED',
      `in CRITICAL only calls below ${presentBooksAmount(caps.critical)} are allowed`,
    );
  }
  if (
    onAllowanceAlone &&
    input.account.status.alertLevel === 'RED' &&
    input.cost.greaterThanOrEqualTo(caps.red)
  ) {
    return refuse(
      'BUDGET_EXHAUSTED',
      `in RED only calls below ${presentBooksAmount(caps.red)} are allowed`,
    );
  }
  return { affordable: true };
}

function fits(cost: Decimal, limits: SpendLimits): boolean {
  if (!limits.hardLimit) return true;
  const overageHeadroom = Decimal.max(limits.overageLimit.minus(limits.status.overage), ZERO);
  return cost.lessThanOrEqualTo(limits.status.available.plus(overageHeadroom));
}

function refuse(errorCode: RefusalCode, message: string): Affordability {
  return { affordable: false, errorCode, message };
}
