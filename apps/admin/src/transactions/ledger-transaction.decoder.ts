import { z } from 'zod';
import { ledgerTransactionSchema, nonNegativeAmountString } from '@tally/budget-domain';
import type { ParseResult } from '@tally/budget-domain';

const instant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'must be an ISO-8601 timestamp',
});

/**
 * One usage event inside a usage transaction that carries several (DESIGN 3.3: the ledger may
 * post one transaction per account per batch). What each event cost, was charged, and which
 * funds paid it.
 */
const usageLineSchema = z.object({
  usage_id: z.string(),
  source: z.string(),
  api_key_id: z.string().nullable(),
  service: z.string(),
  provider: z.string(),
  model: z.string(),
  cost: nonNegativeAmountString,
  markup: nonNegativeAmountString.optional(),
  discount: nonNegativeAmountString.optional(),
  charged: nonNegativeAmountString.optional(),
  reservation_id: z.string().nullable().optional(),
  occurred_at: instant.optional(),
  funding: z.object({
    allowance: nonNegativeAmountString,
    credit: nonNegativeAmountString,
    overage: nonNegativeAmountString,
  }),
});
export type UsageLine = z.infer<typeof usageLineSchema>;

// The ledger writes lines[] beside the postings or inside details; a reader takes either. The
// schema moves to budget-domain with the ledger's writer of it.
const transactionWithLinesSchema = ledgerTransactionSchema.extend({
  lines: z.array(usageLineSchema).optional(),
});
const linesInDetails = z.object({ lines: z.array(usageLineSchema).optional() });

export type ProjectableTransaction = z.infer<typeof ledgerTransactionSchema> & {
  readonly lines?: UsageLine[] | undefined;
};

/** ledger.transactions bytes to a transaction (with its usage lines when it has them), or a dead-letter reason. */
export function decodeLedgerTransaction(raw: Buffer | null): ParseResult<ProjectableTransaction> {
  if (raw === null || raw.length === 0) return rejected('invalid_json', 'empty record');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return rejected('invalid_json', error instanceof Error ? error.message : 'not JSON');
  }
  const parsed = transactionWithLinesSchema.safeParse(json);
  if (!parsed.success) return rejected('schema_violation', firstIssue(parsed.error));
  if (parsed.data.lines !== undefined) return { ok: true, value: parsed.data };
  const nested = linesInDetails.safeParse(parsed.data.details);
  if (!nested.success) return rejected('schema_violation', `details.${firstIssue(nested.error)}`);
  return { ok: true, value: { ...parsed.data, lines: nested.data.lines } };
}

function rejected(
  reason: 'invalid_json' | 'schema_violation',
  error: string,
): ParseResult<ProjectableTransaction> {
  return { ok: false, reason, error };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
