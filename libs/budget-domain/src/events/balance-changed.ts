import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { ALERT_LEVELS } from '../budget/alert-level';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import {
  amountString,
  isoTimestamp,
  nonNegativeAmountString,
  plainText,
  schemaVersion,
} from './wire';

export const balanceChangedSchema = z.object({
  schema_version: schemaVersion,
  account_id: plainText(256),
  api_key_id: plainText(256).nullable(),
  /** Grows with every change of the account's books: a reader skips a record not above the last it applied. */
  sequence: z.number().int().nonnegative(),
  period: z.object({ start: isoTimestamp.nullable(), end: isoTimestamp.nullable() }),
  allowance: nonNegativeAmountString,
  used: nonNegativeAmountString,
  remaining: nonNegativeAmountString,
  extra_credit_remaining: amountString,
  available: amountString,
  available_percent: z.number().int(),
  alert_level: z.enum(ALERT_LEVELS),
  over_soft_limit: z.boolean(),
  over_hard_limit: z.boolean(),
  overage: nonNegativeAmountString,
  /**
   * The ledger's projection of the period's cost at `at`, as its budget status answers it (ADR
   * 0099): alerting judges a projected overrun on it. Absent from records written before it.
   */
  projected_period_cost: nonNegativeAmountString.optional(),
  cause: z.object({ transaction_id: z.string(), kind: z.string() }),
  at: isoTimestamp,
});

/** An account's (or key's) balance after a change: a state, not a delta (DESIGN 3.3). */
export type BalanceChanged = z.infer<typeof balanceChangedSchema>;

export function parseBalanceChanged(raw: Buffer | string | null): ParseResult<BalanceChanged> {
  return parseWith(balanceChangedSchema, raw);
}

/**
 * available_percent on the record's exact figures, (remaining + extra credit) / allowance ×
 * 100 as the ledger reckons it (DESIGN 4): the wire's integer would put 14.6 % at 15. Without
 * an allowance the base is the credit given, which the record does not carry, so the rounded
 * percent is all there is (ADR 0122).
 */
export function exactAvailablePercentOf(
  balance: Pick<
    BalanceChanged,
    'allowance' | 'remaining' | 'extra_credit_remaining' | 'available_percent'
  >,
): Decimal {
  const allowance = new Decimal(balance.allowance);
  if (!allowance.greaterThan(0)) return new Decimal(balance.available_percent);
  const funds = new Decimal(balance.remaining).plus(balance.extra_credit_remaining);
  return funds.dividedBy(allowance).times(100);
}
