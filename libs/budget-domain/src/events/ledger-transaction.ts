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

export const ledgerTransactionSchema = z.object({
  schema_version: schemaVersion,
  transaction_id: plainText(256),
  account_id: plainText(256),
  kind: plainText(64),
  source_id: plainText(1024),
  occurred_at: isoTimestamp,
  posted_at: isoTimestamp,
  postings: z.array(z.object({ ledger_account: z.string(), amount: amountString })),
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
        cost: nonNegativeAmountString,
        markup: nonNegativeAmountString,
        discount: nonNegativeAmountString,
        charged: nonNegativeAmountString,
        reservation_id: plainText(256).nullable(),
        funding: z.object({
          allowance: nonNegativeAmountString,
          credit: nonNegativeAmountString,
          overage: nonNegativeAmountString,
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
