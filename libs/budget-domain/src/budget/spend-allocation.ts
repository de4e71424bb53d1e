import { Decimal } from 'decimal.js';

export interface SpendSources {
  /** Period allowance not yet consumed (>= 0). */
  readonly allowanceRemaining: Decimal;
  /** Prepaid extra credit left; below zero after a refund of credit already spent. */
  readonly creditRemaining: Decimal;
}

export interface SpendAllocation {
  readonly fromAllowance: Decimal;
  readonly fromCredit: Decimal;
  /** Usage covered by neither: owed, tracked as overage. */
  readonly toOverage: Decimal;
}

const ZERO = new Decimal(0);

/**
 * Splits usage that already happened over its funding, in the consumption order: period
 * allowance first, then prepaid credit, then overage. Posting never refuses: whether a
 * spend was allowed is decided before the call (authorization), not after it.
 */
export function allocateSpend(cost: Decimal, sources: SpendSources): SpendAllocation {
  if (cost.isNegative())
    throw new RangeError(`cannot allocate a negative cost (${cost.toFixed()})`);
  const fromAllowance = Decimal.min(cost, Decimal.max(sources.allowanceRemaining, ZERO));
  const afterAllowance = cost.minus(fromAllowance);
  const fromCredit = Decimal.min(afterAllowance, Decimal.max(sources.creditRemaining, ZERO));
  return { fromAllowance, fromCredit, toOverage: afterAllowance.minus(fromCredit) };
}
