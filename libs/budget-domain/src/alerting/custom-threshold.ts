import { Decimal } from 'decimal.js';
import { formatAmount, isDecimalString } from '../money/amount';

/**
 * An account's own alert threshold (DESIGN 4, Alerting): a spend percent of the period's
 * funds, or an absolute amount spent in the period.
 */
export type CustomThreshold =
  | { readonly percent: Decimal; readonly amount?: never }
  | { readonly amount: Decimal; readonly percent?: never };

export class InvalidThresholdError extends Error {
  readonly code = 'INVALID_THRESHOLD';
}

/** A threshold as a caller sends it: `{ percent: 60 }` or `{ amount: "25.00" }`. */
export function parseCustomThreshold(raw: unknown): CustomThreshold {
  if (typeof raw !== 'object' || raw === null) {
    throw new InvalidThresholdError('a threshold is { percent } or { amount }');
  }
  const { percent, amount } = raw as { percent?: unknown; amount?: unknown };
  if ((percent === undefined) === (amount === undefined)) {
    throw new InvalidThresholdError('a threshold has either percent or amount, not both');
  }
  if (percent !== undefined) {
    // Spend percent is an integer on the wire (100 − available_percent), so a finer one could never be told apart.
    if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 1 || percent > 100) {
      throw new InvalidThresholdError(
        `percent must be a whole number from 1 to 100, got ${String(percent)}`,
      );
    }
    return { percent: new Decimal(percent) };
  }
  if (typeof amount !== 'string' || !isDecimalString(amount) || !new Decimal(amount).gt(0)) {
    throw new InvalidThresholdError(
      `amount must be a decimal string above 0 (at most 12 decimals), got ${JSON.stringify(amount)}`,
    );
  }
  return { amount: new Decimal(amount) };
}

/** The threshold's identity: two channels with the same threshold share one alert. */
export function customThresholdKey(threshold: CustomThreshold): string {
  return threshold.percent !== undefined
    ? `percent:${threshold.percent.toString()}`
    : `amount:${formatAmount(threshold.amount)}`;
}

/** The threshold on the wire (command replies). */
export function presentCustomThreshold(
  threshold: CustomThreshold,
): { percent: number } | { amount: string } {
  return threshold.percent !== undefined
    ? { percent: threshold.percent.toNumber() }
    : { amount: formatAmount(threshold.amount) };
}
