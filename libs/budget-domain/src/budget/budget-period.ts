export type PeriodKind = 'monthly' | 'weekly' | 'daily' | 'none';

/** How a budget's periods are cut. */
export interface PeriodRule {
  readonly period: PeriodKind;
  /** Monthly budgets reset on this day of the month (1–28), at 00:00 UTC. */
  readonly resetDay?: number;
  /**
   * Monthly: a subscription's period start; periods follow it month by month (a 31st
   * anchor resets on the last day of shorter months). Weekly/daily: the instant periods
   * are counted from (default Monday 00:00 UTC / midnight UTC).
   */
  readonly anchorStart?: Date;
}

/**
 * [start, end): end is exclusive. `none` is one open period: both null, or from the moment a
 * budget changed to `none` (see restartPeriod). A period that began at a change of rule starts
 * then and ends at the rule's next boundary.
 */
export interface Period {
  readonly start: Date | null;
  readonly end: Date | null;
}

export class InvalidPeriodRuleError extends Error {
  readonly code = 'INVALID_PERIOD_RULE';
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 2024-01-01 was a Monday. */
const MONDAY = Date.UTC(2024, 0, 1);

export function assertPeriodRule(rule: PeriodRule): PeriodRule {
  if (
    rule.resetDay !== undefined &&
    (!Number.isInteger(rule.resetDay) || rule.resetDay < 1 || rule.resetDay > 28)
  ) {
    throw new InvalidPeriodRuleError(
      `reset_day must be a whole number from 1 to 28, got ${rule.resetDay}`,
    );
  }
  if (rule.resetDay !== undefined && rule.period !== 'monthly') {
    throw new InvalidPeriodRuleError('reset_day applies to monthly budgets only');
  }
  if (rule.resetDay !== undefined && rule.anchorStart !== undefined) {
    throw new InvalidPeriodRuleError(
      'a monthly budget resets on reset_day or follows anchor_start, not both',
    );
  }
  return rule;
}

/** The period an instant falls in. */
export function periodAt(rule: PeriodRule, instant: Date): Period {
  assertPeriodRule(rule);
  switch (rule.period) {
    case 'none':
      return { start: null, end: null };
    case 'daily':
      return fixedLength(instant, DAY_MS, rule.anchorStart?.getTime() ?? 0);
    case 'weekly':
      return fixedLength(instant, WEEK_MS, rule.anchorStart?.getTime() ?? MONDAY);
    case 'monthly':
      return rule.anchorStart
        ? anchoredMonth(rule.anchorStart, instant)
        : resetDayMonth(rule.resetDay ?? 1, instant);
  }
}

/** The period right after this one (for catch-up over missed resets). */
export function nextPeriod(rule: PeriodRule, period: Period): Period {
  if (period.end === null) return period;
  return periodAt(rule, period.end);
}

/** Whole or partial days left in the period at an instant (null for an open period). */
export function daysRemaining(period: Period, instant: Date): number | null {
  if (period.end === null) return null;
  return Math.max(0, Math.ceil((period.end.getTime() - instant.getTime()) / DAY_MS));
}

export function periodDays(period: Period): number | null {
  if (period.start === null || period.end === null) return null;
  return Math.round((period.end.getTime() - period.start.getTime()) / DAY_MS);
}

function fixedLength(instant: Date, length: number, anchor: number): Period {
  const index = Math.floor((instant.getTime() - anchor) / length);
  const start = anchor + index * length;
  return { start: new Date(start), end: new Date(start + length) };
}

function resetDayMonth(day: number, instant: Date): Period {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  const thisMonth = Date.UTC(year, month, day);
  const start = instant.getTime() >= thisMonth ? thisMonth : Date.UTC(year, month - 1, day);
  const startDate = new Date(start);
  return {
    start: startDate,
    end: new Date(Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth() + 1, day)),
  };
}

/** anchor + k months, on the anchor's day or the month's last day, at the anchor's time of day. */
function addMonthsClamped(anchor: Date, months: number): Date {
  const target = new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth() + months, 1));
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(anchor.getUTCDate(), lastDay));
  target.setUTCHours(
    anchor.getUTCHours(),
    anchor.getUTCMinutes(),
    anchor.getUTCSeconds(),
    anchor.getUTCMilliseconds(),
  );
  return target;
}

function anchoredMonth(anchor: Date, instant: Date): Period {
  let months =
    (instant.getUTCFullYear() - anchor.getUTCFullYear()) * 12 +
    (instant.getUTCMonth() - anchor.getUTCMonth());
  while (addMonthsClamped(anchor, months).getTime() > instant.getTime()) months -= 1;
  while (addMonthsClamped(anchor, months + 1).getTime() <= instant.getTime()) months += 1;
  return { start: addMonthsClamped(anchor, months), end: addMonthsClamped(anchor, months + 1) };
}
