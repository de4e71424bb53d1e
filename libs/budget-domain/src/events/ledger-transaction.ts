import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import {
  amountString,
  isoTimestamp,
  nonNegativeAmountString,
  plainText,
  schemaVersion,
} from './wire';

/**
 * An amount the ledger posts is below 10^15: it moves at most 1,000,000 per event or payment
 * (ADR 0096) and allows at most 10^12 per period (ADR 0097). Admin adds these into credit pools
 * and daily rollups, which 26-digit amounts overflowed.
 */
const MAX_LEDGER_AMOUNT_DIGITS = 15;
const BELOW_LEDGER_BOUND = {
  message: `must be below 10^${MAX_LEDGER_AMOUNT_DIGITS}`,
} as const;
function isBelowLedgerBound(amount: string): boolean {
  const whole = amount.replace(/^-?0*/, '').split('.')[0] ?? '';
  return whole.length <= MAX_LEDGER_AMOUNT_DIGITS;
}
const ledgerAmount = amountString.refine(isBelowLedgerBound, BELOW_LEDGER_BOUND);
const nonNegativeLedgerAmount = nonNegativeAmountString.refine(
  isBelowLedgerBound,
  BELOW_LEDGER_BOUND,
);

export const ledgerTransactionSchema = z.object({
  schema_version: schemaVersion,
  transaction_id: plainText(256),
  account_id: plainText(256),
  kind: plainText(64),
  source_id: plainText(1024),
  occurred_at: isoTimestamp,
  posted_at: isoTimestamp,
  postings: z.array(z.object({ ledger_account: z.string(), amount: ledgerAmount })),
  details: z.record(z.string(), z.unknown()),
  /** A usage transaction's events, one line each; its postings are their sums (DESIGN 3.3). */
  lines: z
    .array(
      z.object({
        usage_id: plainText(256),
        source: plainText(256),
        api_key_id: plainText(256).nullable(),
        service: plainText(256),
        provider: plainText(256),
        model: plainText(256),
        occurred_at: isoTimestamp,
        /** Input plus output tokens: what the line added to the month's volume. */
        tokens: z.number().int().min(0).optional(),
        cost: nonNegativeLedgerAmount,
        markup: nonNegativeLedgerAmount,
        discount: nonNegativeLedgerAmount,
        charged: nonNegativeLedgerAmount,
        reservation_id: plainText(256).nullable(),
        funding: z.object({
          allowance: nonNegativeLedgerAmount,
          credit: nonNegativeLedgerAmount,
          overage: nonNegativeLedgerAmount,
        }),
      }),
    )
    .optional(),
});

/** One posted transaction with its postings (ledger.transactions). */
export type LedgerTransaction = z.infer<typeof ledgerTransactionSchema>;

export function parseLedgerTransaction(
  raw: Buffer | string | null,
): ParseResult<LedgerTransaction> {
  return parseWith(ledgerTransactionSchema, raw);
}
