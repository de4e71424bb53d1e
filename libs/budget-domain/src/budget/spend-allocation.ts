import { Decimal } from 'decimal.js';

export interface SpendSources {
  /** Period allowance not yet consumed (>= 0). */
  readonly allowanceRemaining: Decimal;
  /** Prepaid extra credit left; below zero after a refund of credit already spent. */
  readonly creditRemaining: Decimal;
  /**
   * What the month's spending cap still allows (>= 0); undefined: no cap. Spend past the cap
   * is overage whatever allowance or credit is left (ADR 0044).
   */
  readonly capRemaining?: Decimal;
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
 * allowance first, then prepaid credit, then overage; the part past the monthly cap, if any,
 * is overage at once. Posting never refuses: whether a spend was allowed is decided before
 * the call (authorization), not after it.
 */
export function allocateSpend(cost: Decimal, sources: SpendSources): SpendAllocation {
  if (cost.isNegative())
    throw new RangeError(`cannot allocate a negative cost (${cost.toFixed()})`);
  const fundable =
    sources.capRemaining === undefined ? cost : lesser(cost, nonNegative(sources.capRemaining));
  const fromAllowance = lesser(fundable, nonNegative(sources.allowanceRemaining));
  const fromCredit = lesser(
    fromAllowance.isZero() ? fundable : fundable.minus(fromAllowance),
    nonNegative(sources.creditRemaining),
  );
  return { fromAllowance, fromCredit, toOverage: cost.minus(fromAllowance).minus(fromCredit) };
}

// Comparisons that return one of their arguments: Decimal.min and Decimal.max copy it, and this
// runs for every event the ledger posts.
function lesser(a: Decimal, b: Decimal): Decimal {
  return b.lessThan(a) ? b : a;
}

function nonNegative(amount: Decimal): Decimal {
  return amount.isNegative() ? ZERO : amount;
}
