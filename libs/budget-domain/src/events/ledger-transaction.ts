import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { amountString, isoTimestamp, plainText, schemaVersion } from './wire';

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
});

/** One posted transaction with its postings (ledger.transactions). */
export type LedgerTransaction = z.infer<typeof ledgerTransactionSchema>;

export function parseLedgerTransaction(
  raw: Buffer | string | null,
): ParseResult<LedgerTransaction> {
  return parseWith(ledgerTransactionSchema, raw);
}
