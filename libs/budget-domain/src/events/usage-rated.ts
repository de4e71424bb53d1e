import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { USAGE_SERVICES } from './usage-event';
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
  quantities: z.record(z.string(), z.union([z.number(), z.string()])),
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
