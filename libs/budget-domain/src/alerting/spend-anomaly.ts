import { Decimal } from 'decimal.js';
import { formatAmount } from '../money/amount';
import type { AccountStanding, AlertCondition } from './alert-conditions';
import { presentBooksAmount } from '../money/currency';
import { subjectOf } from './alert-conditions';

const HOUR_MS = 3_600_000;

/**
 * When an hour's spend is an anomaly (ADR 0031): at least `minSpend`, and more than `factor`
 * times the mean hourly spend of the trailing `windowHours` (quiet hours count as 0), once
 * the account has at least `minHistoryHours` of history.
 */
export interface SpendAnomalyRule {
  readonly factor: Decimal;
  readonly minSpend: Decimal;
  readonly windowHours: number;
  readonly minHistoryHours: number;
}

export const DEFAULT_SPEND_ANOMALY_RULE: SpendAnomalyRule = {
  factor: new Decimal(5),
  minSpend: new Decimal(1),
  windowHours: 24,
  minHistoryHours: 6,
};

export interface HourlySpend {
  /** The start of the hour (UTC). */
  readonly hour: Date;
  readonly cost: Decimal;
}

export interface SpendAssessment {
  readonly hour: Date;
  readonly spend: Decimal;
  /** Mean hourly spend of the trailing hours looked at (0 when there were none). */
  readonly mean: Decimal;
  readonly historyHours: number;
  readonly anomalous: boolean;
}

/** The UTC hour an instant falls in. */
export function hourOf(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
}

/**
 * Assesses an hour's spend against the hours before it. `rollups` are the account's hourly
 * totals (any hours; those outside the window are ignored); `firstHour` is the earliest hour
 * the account has spend recorded in, so a new account is not judged on hours it did not exist.
 */
export function assessHourlySpend(
  hour: Date,
  rollups: readonly HourlySpend[],
  firstHour: Date,
  rule: SpendAnomalyRule = DEFAULT_SPEND_ANOMALY_RULE,
): SpendAssessment {
  const at = hourOf(hour).getTime();
  const historyHours = Math.max(
    0,
    Math.min(rule.windowHours, Math.floor((at - hourOf(firstHour).getTime()) / HOUR_MS)),
  );
  const windowStart = at - historyHours * HOUR_MS;
  let spend = new Decimal(0);
  let trailing = new Decimal(0);
  for (const rollup of rollups) {
    const time = rollup.hour.getTime();
    if (time === at) spend = spend.plus(rollup.cost);
    else if (time >= windowStart && time < at) trailing = trailing.plus(rollup.cost);
  }
  const mean = historyHours > 0 ? trailing.dividedBy(historyHours) : new Decimal(0);
  return {
    hour: new Date(at),
    spend,
    mean,
    historyHours,
    anomalous:
      historyHours >= rule.minHistoryHours &&
      spend.greaterThanOrEqualTo(rule.minSpend) &&
      spend.greaterThan(mean.times(rule.factor)),
  };
}

/**
 * Whether the anomaly condition holds: the hour is anomalous, or it is the hour (or earlier)
 * an active anomaly alert fired in. Spend within an hour only grows, so an anomaly clears
 * only when a later hour is seen and is not anomalous.
 */
export function anomalyHolds(assessment: SpendAssessment, activeSince: Date | null): boolean {
  return (
    assessment.anomalous ||
    (activeSince !== null && assessment.hour.getTime() <= hourOf(activeSince).getTime())
  );
}

/** The anomaly condition of an account, scoped to the hour it was seen in. */
export function anomalyCondition(
  accountId: string,
  assessment: SpendAssessment,
  standing: AccountStanding,
): AlertCondition {
  const ratio = assessment.mean.isZero()
    ? 'with no spend in'
    : `${assessment.spend.dividedBy(assessment.mean).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toString()}x`;
  return {
    key: 'anomaly',
    kind: 'anomaly',
    level: standing.level,
    percent: standing.percent,
    amount: formatAmount(assessment.spend),
    periodStart: assessment.hour.toISOString(),
    message:
      `${subjectOf(accountId, null)}: ${presentBooksAmount(assessment.spend)} spent in the hour from ` +
      `${assessment.hour.toISOString()}, ${ratio} the trailing ${assessment.historyHours}-hour mean of ` +
      `${presentBooksAmount(assessment.mean.toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN))}`,
  };
}
