import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { amountString, isoTimestamp, nonNegativeAmountString, schemaVersion } from './wire';

export const ALERT_LEVELS = ['GREEN', 'YELLOW', 'ORANGE', 'RED', 'CRITICAL'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const balanceChangedSchema = z.object({
  schema_version: schemaVersion,
  account_id: z.string().min(1),
  api_key_id: z.string().nullable(),
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
  cause: z.object({ transaction_id: z.string(), kind: z.string() }),
  at: isoTimestamp,
});

/** An account's (or key's) balance after a change (DESIGN 3.3). */
export type BalanceChanged = z.infer<typeof balanceChangedSchema>;

export function parseBalanceChanged(raw: Buffer | string | null): ParseResult<BalanceChanged> {
  return parseWith(balanceChangedSchema, raw);
}

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

export const paymentEventSchema = z.object({
  schema_version: schemaVersion,
  id: z.string().min(1),
  account_id: z.string().min(1),
  kind: z.enum(['credit_purchased', 'credit_failed', 'credit_refunded']),
  trigger: z.enum(['manual', 'auto', 'admin']),
  credit_amount: nonNegativeAmountString,
  paid_amount: nonNegativeAmountString,
  paid_currency: z.string().length(3),
  stripe_ref: z.string().nullable(),
  at: isoTimestamp,
});

/** A payment fact from top-up (DESIGN 3.4). */
export type PaymentEvent = z.infer<typeof paymentEventSchema>;

export function parsePaymentEvent(raw: Buffer | string | null): ParseResult<PaymentEvent> {
  return parseWith(paymentEventSchema, raw);
}

export const alertFiredSchema = z.object({
  schema_version: schemaVersion,
  id: z.string().min(1),
  account_id: z.string().min(1),
  api_key_id: z.string().nullable(),
  kind: z.enum([
    'threshold',
    'soft_limit',
    'hard_limit',
    'projected_overrun',
    'auto_topup_failed',
    'auto_topup_paused',
    'anomaly',
  ]),
  level: z.enum(ALERT_LEVELS),
  percent: z.number(),
  period_start: isoTimestamp.nullable(),
  message: z.string(),
  at: isoTimestamp,
});

/** An alert (DESIGN 3.5). */
export type AlertFired = z.infer<typeof alertFiredSchema>;

export function parseAlertFired(raw: Buffer | string | null): ParseResult<AlertFired> {
  return parseWith(alertFiredSchema, raw);
}
