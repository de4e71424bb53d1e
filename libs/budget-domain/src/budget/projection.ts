import { Decimal } from 'decimal.js';
import type { Period } from './budget-period';

/**
 * Projected cost of the whole period from spend so far, at the same daily rate. Before a
 * full hour has elapsed the projection is the spend itself (no extrapolation from noise).
 */
export function projectedPeriodCost(period: Period, used: Decimal, now: Date): Decimal {
  if (period.start === null || period.end === null) return used;
  const elapsed = now.getTime() - period.start.getTime();
  const total = period.end.getTime() - period.start.getTime();
  if (elapsed < 3_600_000) return used;
  return used
    .times(total)
    .dividedBy(Math.min(elapsed, total))
    .toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN);
}
