import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { amountString, isoTimestamp, schemaVersion } from './wire';

export const ledgerTransactionSchema = z.object({
  schema_version: schemaVersion,
  transaction_id: z.string(),
  account_id: z.string(),
  kind: z.string(),
  source_id: z.string(),
  occurred_at: isoTimestamp,
  posted_at: isoTimestamp,
  postings: z.array(z.object({ ledger_account: z.string(), amount: amountString })),
  details: z.record(z.string(), z.unknown()),
});

/** One posted transaction with its postings (ledger.transactions). */
export type LedgerTransaction = z.infer<typeof ledgerTransactionSchema>;

export function parseLedgerTransaction(
  raw: Buffer | string | null,
): ParseResult<LedgerTransaction> {
  return parseWith(ledgerTransactionSchema, raw);
}
