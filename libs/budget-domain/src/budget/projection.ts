import { Decimal } from 'decimal.js';
import type { Period } from './budget-period';

const ZERO = new Decimal(0);

/**
 * Projected cost of the whole period from spend so far, at the same daily rate. Before a
 * full hour has elapsed the projection is the spend itself (no extrapolation from noise).
 * `countedFrom` is when `used` began counting, if later than the period's start: a budget
 * created mid-period has counted only its own days, so the rate is measured over those.
 * `usedFromEarlier` is the part of `used` that occurred before it began counting (posted late):
 * it is counted once, not as a rate.
 */
export function projectedPeriodCost(
  period: Period,
  used: Decimal,
  now: Date,
  countedFrom?: Date,
  usedFromEarlier: Decimal = ZERO,
): Decimal {
  const start = countingStartMs(period, countedFrom);
  if (start === null || period.end === null) return used;
  const elapsed = now.getTime() - start;
  const total = period.end.getTime() - start;
  if (elapsed < 3_600_000) return used;
  const earlier = Decimal.min(Decimal.max(usedFromEarlier, ZERO), used);
  return used
    .minus(earlier)
    .times(total)
    .dividedBy(Math.min(elapsed, total))
    .plus(earlier)
    .toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN);
}

/**
 * The instant (ms) a budget's `used` began counting in its period: the period's start, or
 * `countedFrom` (when the budget was set) if later. Usage that occurred before it and is posted
 * after it is "from earlier" (ADR 0112, 0155). Null for an open period.
 */
export function countingStartMs(period: Period, countedFrom?: Date): number | null {
  if (period.start === null) return null;
  return Math.max(period.start.getTime(), countedFrom?.getTime() ?? -Infinity);
}
