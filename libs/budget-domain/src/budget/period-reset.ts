import { Decimal } from 'decimal.js';
import type { BudgetDefinition } from './budget-definition';
import type { Period } from './budget-period';
import { nextPeriod, periodAt } from './budget-period';

/** A budget's running figures in its current period. */
export interface PeriodState {
  readonly period: Period;
  /** This period's allowance: the limit (prorated in a first partial period) plus rollover. */
  readonly allowance: Decimal;
  readonly allowanceRemaining: Decimal;
  readonly used: Decimal;
  readonly rolledOver: Decimal;
}

/** One reset that happened: what expired and what carried over. */
export interface PeriodReset {
  readonly from: Period;
  readonly to: Period;
  readonly expired: Decimal;
  readonly rolledOver: Decimal;
  readonly allowance: Decimal;
}

const ZERO = new Decimal(0);
/** A budget that missed more resets than this is caught up from the current period only. */
const MAX_CATCH_UP = 400;

/** The first period's state of a budget created at `createdAt`, prorated if asked. */
export function openingState(budget: BudgetDefinition): PeriodState {
  const period = periodAt(budget, budget.createdAt);
  const allowance = budget.prorate ? proratedLimit(budget, period, budget.createdAt) : budget.limit;
  return { period, allowance, allowanceRemaining: allowance, used: ZERO, rolledOver: ZERO };
}

/** The limit scaled by the share of the period left (by days, partial days counting whole). */
export function proratedLimit(budget: Pick<BudgetDefinition, 'limit'>, period: Period, from: Date): Decimal {
  if (period.start === null || period.end === null) return budget.limit;
  const day = 86_400_000;
  const total = Math.round((period.end.getTime() - period.start.getTime()) / day);
  const left = Math.min(total, Math.ceil((period.end.getTime() - from.getTime()) / day));
  return budget.limit.times(left).dividedBy(total).toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN);
}

/**
 * Moves a budget's state to the period `now` falls in. The same period is a no-op (a reset
 * happens once per period, never twice); missed periods are caught up one by one, each
 * expiring its unused allowance beyond the rollover cap. No cron needed: the next event
 * (or authorization) calls this.
 */
export function rollToPeriod(
  budget: BudgetDefinition,
  state: PeriodState,
  now: Date,
): { state: PeriodState; resets: PeriodReset[] } {
  const target = periodAt(budget, now);
  if (sameStart(target, state.period) || target.start === null) return { state, resets: [] };
  if (state.period.start !== null && target.start.getTime() < state.period.start.getTime()) {
    return { state, resets: [] };
  }
  const resets: PeriodReset[] = [];
  let current = state;
  let steps = 0;
  while (!sameStart(current.period, target)) {
    const next = steps < MAX_CATCH_UP ? nextPeriod(budget, current.period) : target;
    const cap = budget.limit.times(budget.rolloverMaxPercent).dividedBy(100);
    const rolledOver = Decimal.min(current.allowanceRemaining, cap);
    const expired = current.allowanceRemaining.minus(rolledOver);
    const allowance = budget.limit.plus(rolledOver);
    resets.push({ from: current.period, to: next, expired, rolledOver, allowance });
    current = { period: next, allowance, allowanceRemaining: allowance, used: ZERO, rolledOver };
    steps += 1;
  }
  return { state: current, resets };
}

function sameStart(a: Period, b: Period): boolean {
  return (a.start?.getTime() ?? null) === (b.start?.getTime() ?? null);
}
