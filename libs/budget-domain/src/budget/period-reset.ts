import { Decimal } from 'decimal.js';
import { roundAmount } from '../money/amount';
import { budgetValidity } from './budget-definition';
import type { BudgetDefinition } from './budget-definition';
import type { Period, PeriodRule } from './budget-period';
import { nextPeriod, periodAt } from './budget-period';

/** A budget's running figures in its current period. */
export interface PeriodState {
  readonly period: Period;
  /** This period's allowance: the limit (prorated in a first partial period) plus rollover. */
  readonly allowance: Decimal;
  readonly allowanceRemaining: Decimal;
  readonly used: Decimal;
  readonly rolledOver: Decimal;
  /** Usage of this period covered by neither allowance nor credit. */
  readonly overage: Decimal;
  /**
   * The part of `used` that occurred before the budget began counting in the period (its start,
   * or the budget's creation if later) and was posted late, counted here (ADR 0044): a
   * projection counts it once instead of as the period's rate (ADR 0112, 0155).
   */
  readonly usedFromEarlier: Decimal;
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
  return {
    period,
    allowance,
    allowanceRemaining: allowance,
    used: ZERO,
    rolledOver: ZERO,
    overage: ZERO,
    usedFromEarlier: ZERO,
  };
}

/** The limit scaled by the share of the period left (by days, partial days counting whole). */
export function proratedLimit(
  budget: Pick<BudgetDefinition, 'limit'>,
  period: Period,
  from: Date,
): Decimal {
  if (period.start === null || period.end === null) return budget.limit;
  const day = 86_400_000;
  const total = Math.round((period.end.getTime() - period.start.getTime()) / day);
  const left = Math.min(total, Math.ceil((period.end.getTime() - from.getTime()) / day));
  return budget.limit.times(left).dividedBy(total).toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN);
}

/**
 * Moves a budget's state to the period `now` falls in. Inside the current period it is a no-op
 * (a reset happens once per period, never twice); missed periods are caught up one by one,
 * each expiring its unused allowance beyond the rollover cap. No cron needed: the next event
 * (or authorization) calls this. An instant before the current period's end, even one before
 * its start (a clock that went back), changes nothing.
 */
export function rollToPeriod(
  budget: BudgetDefinition,
  state: PeriodState,
  now: Date,
): { state: PeriodState; resets: PeriodReset[] } {
  const resets: PeriodReset[] = [];
  let current = state;
  while (current.period.end !== null && now.getTime() >= current.period.end.getTime()) {
    const next =
      resets.length < MAX_CATCH_UP ? nextPeriod(budget, current.period) : periodAt(budget, now);
    // Past its expiry and grace a budget is deactivated: a period that starts then gets no
    // allowance, and nothing of the last one carries over.
    const deactivated = budgetValidity(budget, next.start ?? now) === 'expired';
    const reset = deactivated
      ? resetInto(current, next, ZERO, ZERO)
      : resetInto(current, next, budget.limit, rolloverCap(budget));
    resets.push(reset);
    current = stateAfter(reset);
  }
  return { state: current, resets };
}

/**
 * A new period rule (period kind, reset day or anchor) takes effect at `now`: the current
 * period ends there, its unused allowance expiring beyond the rollover cap of the terms it was
 * issued under, and the first period of the new rule starts there and runs to the new rule's
 * next boundary (for `none`, open-ended), with the new limit, prorated if asked. Catch up first
 * (`rollToPeriod` under the old terms): missed periods belong to the old rule.
 */
export function restartPeriod(
  previous: BudgetDefinition,
  budget: BudgetDefinition,
  state: PeriodState,
  now: Date,
): { state: PeriodState; reset: PeriodReset } {
  const ruled = periodAt(budget, now);
  const next = { start: now, end: ruled.end };
  const limit = budget.prorate ? proratedLimit(budget, ruled, now) : budget.limit;
  const deactivated = budgetValidity(budget, now) === 'expired';
  const reset = deactivated
    ? resetInto(state, next, ZERO, ZERO)
    : resetInto(state, next, limit, rolloverCap(previous));
  return { state: stateAfter(reset), reset };
}

/**
 * A changed definition that keeps the period rule. A periodic budget takes it at its next reset
 * (its state is unchanged here). A budget without periods has no next reset, so a new limit
 * applies at once: the allowance becomes the new limit plus what rolled in when the budget took
 * the rule, but never less than the allowance already spent; what remains is the difference.
 * `moved` is the change of the allowance remaining: issued when positive, withdrawn when
 * negative. A budget past its expiry and grace gets nothing, as at a reset.
 */
export function changeTerms(
  previous: BudgetDefinition,
  budget: BudgetDefinition,
  state: PeriodState,
  now: Date,
): { state: PeriodState; moved: Decimal } {
  const unchanged = { state, moved: ZERO };
  if (budget.period !== 'none' || budget.limit.equals(previous.limit)) return unchanged;
  if (budgetValidity(budget, now) === 'expired') return unchanged;
  const spent = state.allowance.minus(state.allowanceRemaining);
  // Never below what was already spent: allowance − remaining is all that records the spent
  // part, so a cut below it followed by a raise would issue it again (ADR 0080).
  const allowance = Decimal.max(budget.limit.plus(state.rolledOver), spent);
  const allowanceRemaining = allowance.minus(spent);
  return {
    state: { ...state, allowance, allowanceRemaining },
    moved: allowanceRemaining.minus(state.allowanceRemaining),
  };
}

/** True when two definitions cut their periods alike. */
export function samePeriodRule(a: PeriodRule, b: PeriodRule): boolean {
  return (
    a.period === b.period &&
    a.resetDay === b.resetDay &&
    a.anchorStart?.getTime() === b.anchorStart?.getTime()
  );
}

/** The reset from the current period into `next`: its unused allowance carried over up to `cap`, `limit` issued anew. */
function resetInto(current: PeriodState, next: Period, limit: Decimal, cap: Decimal): PeriodReset {
  const rolledOver = Decimal.min(current.allowanceRemaining, cap);
  const expired = current.allowanceRemaining.minus(rolledOver);
  return { from: current.period, to: next, expired, rolledOver, allowance: limit.plus(rolledOver) };
}

/**
 * The most of a period's unused allowance the next one may carry over, at 12 decimals: what
 * rolls over and what expires are posted, and NUMERIC(38,12) would round each on its own.
 */
function rolloverCap(budget: BudgetDefinition): Decimal {
  return roundAmount(budget.limit.times(budget.rolloverMaxPercent).dividedBy(100));
}

function stateAfter(reset: PeriodReset): PeriodState {
  return {
    period: reset.to,
    allowance: reset.allowance,
    allowanceRemaining: reset.allowance,
    used: ZERO,
    rolledOver: reset.rolledOver,
    overage: ZERO,
    usedFromEarlier: ZERO,
  };
}
