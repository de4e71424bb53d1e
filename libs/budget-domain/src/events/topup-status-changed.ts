import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { isoTimestamp, nonNegativeAmountString, plainText, schemaVersion } from './wire';

export const AUTO_TOPUP_STATES = [
  'idle',
  'pending',
  'paused',
  'cooldown',
  'monthly_limit_reached',
  'no_payment_method',
] as const;
export type AutoTopUpState = (typeof AUTO_TOPUP_STATES)[number];

/** Why auto top-up is `paused` (ADR 0157): a charge of the card failed, or a payment's dispute was lost. */
export const AUTO_TOPUP_PAUSE_REASONS = ['charge_failed', 'dispute_lost'] as const;
export type AutoTopUpPauseReason = (typeof AUTO_TOPUP_PAUSE_REASONS)[number];

export const topUpStatusChangedSchema = z.object({
  schema_version: schemaVersion,
  account_id: plainText(256),
  /** Grows per account: a reader keeps the record with the highest sequence. */
  sequence: z.number().int().nonnegative(),
  auto_topup: z.object({
    enabled: z.boolean(),
    state: z.enum(AUTO_TOPUP_STATES),
    pending_since: isoTimestamp.nullable().optional(),
    cooldown_until: isoTimestamp.nullable().optional(),
    month_auto_paid: nonNegativeAmountString,
    monthly_limit: nonNegativeAmountString,
    paid_currency: z.string().regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code'),
    /** Only with state `paused`; absent from records written before ADR 0157 (a failed charge then). */
    pause_reason: z.enum(AUTO_TOPUP_PAUSE_REASONS).optional(),
  }),
  at: isoTimestamp,
});

/** An account's auto top-up state (DESIGN 3.6); the ledger keeps the latest to explain refusals. */
export type TopUpStatusChanged = z.infer<typeof topUpStatusChangedSchema>;

export function parseTopUpStatusChanged(
  raw: Buffer | string | null,
): ParseResult<TopUpStatusChanged> {
  return parseWith(topUpStatusChangedSchema, raw);
}
