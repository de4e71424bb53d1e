import { Decimal } from 'decimal.js';

/**
 * Prepaid credit by where it came from. The ledger keeps one credit wallet per account; a
 * reader that must say whether usage was paid from purchased or from granted credit keeps
 * this split beside it (ADR 0035).
 */
export interface CreditPools {
  /** Credit bought (payments) less refunds of it. */
  readonly paid: Decimal;
  /** Credit granted for free (grants, bonuses, promotions). */
  readonly bonus: Decimal;
}

export type CreditSource = keyof CreditPools;

const ZERO = new Decimal(0);

export const EMPTY_CREDIT_POOLS: CreditPools = { paid: ZERO, bonus: ZERO };

/**
 * Credit added to (positive) or taken back from (negative) one source. Taking back more than
 * the source holds empties it and takes the rest from the other source; what neither holds
 * stays a negative balance of the source named, as the ledger's wallet goes negative.
 */
export function changeCredit(
  pools: CreditPools,
  source: CreditSource,
  amount: Decimal,
): CreditPools {
  if (!amount.isNegative()) return { ...pools, [source]: pools[source].plus(amount) };
  const other: CreditSource = source === 'paid' ? 'bonus' : 'paid';
  let owed = amount.negated();
  const fromSource = Decimal.min(owed, Decimal.max(pools[source], ZERO));
  owed = owed.minus(fromSource);
  const fromOther = Decimal.min(owed, Decimal.max(pools[other], ZERO));
  owed = owed.minus(fromOther);
  const next: Record<CreditSource, Decimal> = { ...pools };
  next[source] = pools[source].minus(fromSource).minus(owed);
  next[other] = pools[other].minus(fromOther);
  return next;
}

export interface CreditSpend {
  readonly pools: CreditPools;
  readonly fromBonus: Decimal;
  readonly fromPaid: Decimal;
}

/**
 * Usage paid from the wallet takes granted credit first, then purchased credit, so what a
 * customer paid for lasts longest (and stays refundable). `amount` is what the ledger took
 * from the wallet; the two parts always add up to it.
 */
export function spendCredit(pools: CreditPools, amount: Decimal): CreditSpend {
  if (amount.isNegative())
    throw new RangeError(`cannot spend a negative amount of credit (${amount.toFixed()})`);
  const fromBonus = Decimal.min(amount, Decimal.max(pools.bonus, ZERO));
  const fromPaid = amount.minus(fromBonus);
  return {
    pools: { paid: pools.paid.minus(fromPaid), bonus: pools.bonus.minus(fromBonus) },
    fromBonus,
    fromPaid,
  };
}
