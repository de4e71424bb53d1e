import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { eventAmountString, isoTimestamp, plainText, schemaVersion } from './wire';

export const PAYMENT_KINDS = ['credit_purchased', 'credit_failed', 'credit_refunded'] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];
export const PAYMENT_TRIGGERS = ['manual', 'auto', 'admin'] as const;
export type PaymentTrigger = (typeof PAYMENT_TRIGGERS)[number];

export const paymentEventSchema = z.object({
  schema_version: schemaVersion,
  id: plainText(256),
  account_id: plainText(256),
  kind: z.enum(PAYMENT_KINDS),
  trigger: z.enum(PAYMENT_TRIGGERS),
  credit_amount: eventAmountString,
  paid_amount: eventAmountString,
  paid_currency: z.string().regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code'),
  stripe_ref: plainText(256).nullable(),
  /**
   * On a `credit_purchased` that gives back the credit of a refund that failed or was canceled
   * (ADR 0087): that refund's Stripe id. No payment was made; readers tell it from a purchase by
   * this (ADR 0123). Absent on every other fact.
   */
  restores_refund: plainText(256).optional(),
  at: isoTimestamp,
});

/**
 * A payment fact from top-up (DESIGN 3.4): amounts are non-negative, a refund names what was
 * refunded (the ledger posts it as negative credit), a failure credits "0".
 */
export type PaymentEvent = z.infer<typeof paymentEventSchema>;

export function parsePaymentEvent(raw: Buffer | string | null): ParseResult<PaymentEvent> {
  return parseWith(paymentEventSchema, raw);
}
