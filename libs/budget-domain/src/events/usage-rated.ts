import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { QUANTITY_LIMITS, USAGE_SERVICES } from './usage-event';
import { isoTimestamp, nonNegativeAmountString, schemaVersion } from './wire';

const breakdownSchema = z.object({
  input: nonNegativeAmountString,
  output: nonNegativeAmountString,
  cached_input: nonNegativeAmountString,
  cache_write: nonNegativeAmountString,
  audio: nonNegativeAmountString,
  characters: nonNegativeAmountString,
  images: nonNegativeAmountString,
  // Per-call fees; records written before they were rated lack the part, which was then 0.
  requests: nonNegativeAmountString.default('0.000000'),
  markup: nonNegativeAmountString,
  discount: nonNegativeAmountString,
});

const TOKEN_FIELDS = ['input_tokens', 'output_tokens'] as const;

export const usageRatedSchema = z.object({
  schema_version: schemaVersion,
  id: z.string().min(1),
  source: z.string().min(1),
  account_id: z.string().min(1),
  api_key_id: z.string().nullable(),
  occurred_at: isoTimestamp,
  service: z.enum(USAGE_SERVICES),
  provider: z.string(),
  model: z.string(),
  // The ledger counts input plus output tokens into the month's volume (plans): they must be counts.
  quantities: z
    .record(z.string(), z.union([z.number(), z.string()]))
    .superRefine((quantities, context) => {
      for (const field of TOKEN_FIELDS) {
        const count = quantities[field];
        if (
          count !== undefined &&
          !(
            Number.isSafeInteger(count) &&
            Number(count) >= 0 &&
            Number(count) <= QUANTITY_LIMITS.tokens
          )
        ) {
          context.addIssue({
            code: 'custom',
            path: [field],
            message: `must be an integer from 0 to ${QUANTITY_LIMITS.tokens}`,
          });
        }
      }
    }),
  cost: nonNegativeAmountString,
  currency: z.string().length(3),
  price_version: z.string(),
  confidence: z.number().min(0).max(1),
  breakdown: breakdownSchema,
  reservation_id: z.string().nullable(),
});

/** A priced usage event (DESIGN 3.2): cost = the parts + markup − discount, exactly. */
export type UsageRated = z.infer<typeof usageRatedSchema>;
export type CostBreakdown = z.infer<typeof breakdownSchema>;

export function parseUsageRated(raw: Buffer | string | null): ParseResult<UsageRated> {
  return parseWith(usageRatedSchema, raw);
}

/** The tokens a rated event adds to its account's month (input and output; parts are inside them). */
export function usageTokens(rated: Pick<UsageRated, 'quantities'>): number {
  return TOKEN_FIELDS.reduce((total, field) => total + Number(rated.quantities[field] ?? 0), 0);
}
