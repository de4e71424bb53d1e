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
