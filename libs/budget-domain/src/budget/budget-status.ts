import { Decimal } from 'decimal.js';
import type { AlertLevel } from './alert-level';
import { alertLevelFor, recommendedStrategyFor } from './alert-level';
import type { RecommendedStrategy } from './alert-level';

/** What the ledger knows about an account (or key) in its current period. */
export interface BalanceFacts {
  /** The period's allowance (0 when the account runs on prepaid credit alone). */
  readonly allowance: Decimal;
  /** Cost of all usage posted in the period, whatever paid for it. */
  readonly used: Decimal;
  /** Allowance not yet consumed. */
  readonly allowanceRemaining: Decimal;
  /** Prepaid credit left (does not reset with the period). */
  readonly creditRemaining: Decimal;
  /** Credit at period start plus credit added during the period: the base without an allowance. */
  readonly creditBase: Decimal;
  /** Usage covered by neither allowance nor credit. */
  readonly overage: Decimal;
  /** Funds held by active reservations. */
  readonly holds: Decimal;
  readonly softLimitPercent?: Decimal;
  readonly hardLimit?: boolean;
}

export interface BudgetStatus {
  readonly allowance: Decimal;
  readonly used: Decimal;
  readonly remaining: Decimal;
  readonly extraCreditRemaining: Decimal;
  readonly available: Decimal;
  /** Exact; present it rounded (presentPercent). May exceed 100 with prepaid credit. */
  readonly availablePercent: Decimal;
  readonly spendPercent: Decimal;
  readonly alertLevel: AlertLevel;
  readonly recommendedStrategy: RecommendedStrategy;
  readonly overSoftLimit: boolean;
  readonly overHardLimit: boolean;
  readonly overage: Decimal;
}

const ZERO = new Decimal(0);
export const DEFAULT_SOFT_LIMIT_PERCENT = new Decimal(80);

/**
 * The figures of a period (DESIGN 4): available = remaining + extra credit − holds;
 * available_percent = (remaining + extra credit) / base × 100, base being the allowance, or
 * without one the credit base; the alert level looks at spend = 100 − available_percent,
 * so prepaid credit pushes the level back down. Holds reduce only `available`.
 */
export function computeBudgetStatus(facts: BalanceFacts): BudgetStatus {
  const remaining = Decimal.max(facts.allowanceRemaining, ZERO);
  const funds = remaining.plus(facts.creditRemaining);
  const base = facts.allowance.greaterThan(0) ? facts.allowance : facts.creditBase;
  const availablePercent = base.greaterThan(0) ? funds.dividedBy(base).times(100) : ZERO;
  const spendPercent = new Decimal(100).minus(availablePercent);
  const alertLevel = alertLevelFor(spendPercent);
  const softLimit = facts.allowance
    .times(facts.softLimitPercent ?? DEFAULT_SOFT_LIMIT_PERCENT)
    .dividedBy(100);
  return {
    allowance: facts.allowance,
    used: facts.used,
    remaining,
    extraCreditRemaining: facts.creditRemaining,
    available: funds.minus(facts.holds),
    availablePercent,
    spendPercent,
    alertLevel,
    recommendedStrategy: recommendedStrategyFor(alertLevel),
    overSoftLimit: facts.allowance.greaterThan(0) && facts.used.greaterThanOrEqualTo(softLimit),
    overHardLimit: (facts.hardLimit ?? false) && spendPercent.greaterThanOrEqualTo(100),
    overage: facts.overage,
  };
}

/** The largest available_percent the wire carries: readers take it as a JSON safe integer. */
const MAX_WIRE_PERCENT = new Decimal(Number.MAX_SAFE_INTEGER);

/**
 * available_percent on the wire: an integer, rounded half-even, held within ±(2^53 − 1). Credit
 * far above a tiny allowance goes beyond that (1000 on 0.000000000001 is 10^17 %), and a record
 * carrying such a number is refused by every reader (ADR 0141).
 */
export function presentPercent(percent: Decimal): number {
  return Decimal.min(Decimal.max(percent, MAX_WIRE_PERCENT.negated()), MAX_WIRE_PERCENT)
    .toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN)
    .toNumber();
}
