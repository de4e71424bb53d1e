import { z } from 'zod';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import { BOOKS_CURRENCY } from '../money/currency';
import { IDENTIFIER_MAX_LENGTH, QUANTITY_LIMITS, USAGE_SERVICES } from './usage-event';
import {
  SCHEMA_VERSION,
  eventAmountString,
  isCopyableRecord,
  isEventAmountString,
  isJsonObject,
  isStorableString,
  isTimestamp,
  isoTimestamp,
  schemaVersion,
  storableString,
} from './wire';

const breakdownSchema = z.object({
  input: eventAmountString,
  output: eventAmountString,
  cached_input: eventAmountString,
  cache_write: eventAmountString,
  audio: eventAmountString,
  characters: eventAmountString,
  images: eventAmountString,
  // Per-call fees; records written before they were rated lack the part, which was then 0.
  requests: eventAmountString.default('0.000000'),
  markup: eventAmountString,
  discount: eventAmountString,
});

const TOKEN_FIELDS = ['input_tokens', 'output_tokens'] as const;

// The ledger, alerting and admin store the identifiers in indexed rows (usage lines, rollups):
// a NUL, or a value past an index row's limit, would roll back every slice holding the record,
// so they are refused here, as metering refuses them in usage.events.
const ratedIdentifier = storableString.max(IDENTIFIER_MAX_LENGTH);

export const usageRatedSchema = z.object({
  schema_version: schemaVersion,
  id: ratedIdentifier.min(1),
  source: ratedIdentifier.min(1),
  account_id: ratedIdentifier.min(1),
  api_key_id: ratedIdentifier.nullable(),
  occurred_at: isoTimestamp,
  service: z.enum(USAGE_SERVICES),
  provider: ratedIdentifier,
  model: ratedIdentifier,
  // The ledger counts input plus output tokens into the month's volume (plans): they must be counts.
  quantities: z
    .record(z.string(), z.union([z.number(), z.string()]))
    .superRefine((quantities, context) => {
      for (const field of TOKEN_FIELDS) {
        const count = quantities[field];
        if (count !== undefined && !isTokenCount(count)) {
          context.addIssue({
            code: 'custom',
            path: [field],
            message: `must be an integer from 0 to ${QUANTITY_LIMITS.tokens}`,
          });
        }
      }
    }),
  cost: eventAmountString,
  // Its readers add the cost to USD books and rollups: a figure in yen is not that many dollars.
  currency: z.literal(BOOKS_CURRENCY, {
    message: `must be ${BOOKS_CURRENCY}, the currency every ledger keeps its books in`,
  }),
  price_version: z.string(),
  confidence: z.number().min(0).max(1),
  breakdown: breakdownSchema,
  reservation_id: ratedIdentifier.nullable(),
});

/** A priced usage event (DESIGN 3.2): cost = the parts + markup − discount, exactly. */
export type UsageRated = z.infer<typeof usageRatedSchema>;
export type CostBreakdown = z.infer<typeof breakdownSchema>;

export function parseUsageRated(raw: Buffer | string | null): ParseResult<UsageRated> {
  return parseWith(usageRatedSchema, raw, readUsageRated);
}

function isTokenCount(count: unknown): boolean {
  return (
    Number.isSafeInteger(count) &&
    (count as number) >= 0 &&
    (count as number) <= QUANTITY_LIMITS.tokens
  );
}

/**
 * `usageRatedSchema` by hand for a record that satisfies it: the same copy, or undefined, and
 * the schema then decides and names the fault. Every record the ledger, alerting and admin read
 * comes this way, and zod's generic checks and copies were most of its parsing (docs/benchmarks).
 */
export function readUsageRated(value: unknown): UsageRated | undefined {
  if (!isJsonObject(value)) return undefined;
  const { id, source, account_id, api_key_id, occurred_at, service, provider, model } = value;
  const { quantities, cost, currency, price_version, confidence, breakdown, reservation_id } =
    value;
  const version = value['schema_version'];
  if (
    (version !== undefined && version !== SCHEMA_VERSION) ||
    !isNonEmptyIdentifier(id) ||
    !isNonEmptyIdentifier(source) ||
    !isNonEmptyIdentifier(account_id) ||
    !isIdentifierOrNull(api_key_id) ||
    !isTimestamp(occurred_at) ||
    !(USAGE_SERVICES as readonly unknown[]).includes(service) ||
    !isRatedIdentifier(provider) ||
    !isRatedIdentifier(model) ||
    !isQuantities(quantities) ||
    !isEventAmountString(cost) ||
    currency !== BOOKS_CURRENCY ||
    typeof price_version !== 'string' ||
    typeof confidence !== 'number' ||
    !(confidence >= 0 && confidence <= 1) ||
    !isIdentifierOrNull(reservation_id)
  ) {
    return undefined;
  }
  const parts = readBreakdown(breakdown);
  if (!parts) return undefined;
  return {
    schema_version: SCHEMA_VERSION,
    id,
    source,
    account_id,
    api_key_id,
    occurred_at,
    service: service as UsageRated['service'],
    provider,
    model,
    quantities,
    cost,
    currency,
    price_version,
    confidence,
    breakdown: parts,
    reservation_id,
  };
}

function readBreakdown(value: unknown): CostBreakdown | undefined {
  if (!isJsonObject(value)) return undefined;
  const { input, output, cached_input, cache_write, audio, characters, images } = value;
  const { markup, discount } = value;
  const requests = value['requests'] === undefined ? '0.000000' : value['requests'];
  const parts = {
    input,
    output,
    cached_input,
    cache_write,
    audio,
    characters,
    images,
    requests,
    markup,
    discount,
  };
  return Object.values(parts).every(isEventAmountString) ? (parts as CostBreakdown) : undefined;
}

function isQuantities(value: unknown): value is Record<string, number | string> {
  if (!isCopyableRecord(value)) return false;
  for (const key in value) {
    const quantity = value[key];
    if (typeof quantity !== 'number' && typeof quantity !== 'string') return false;
  }
  return TOKEN_FIELDS.every((field) => value[field] === undefined || isTokenCount(value[field]));
}

/** What `ratedIdentifier` accepts. */
function isRatedIdentifier(value: unknown): value is string {
  return isStorableString(value) && value.length <= IDENTIFIER_MAX_LENGTH;
}

function isNonEmptyIdentifier(value: unknown): value is string {
  return isRatedIdentifier(value) && value.length > 0;
}

function isIdentifierOrNull(value: unknown): value is string | null {
  return value === null || isRatedIdentifier(value);
}

/** The tokens a rated event adds to its account's month (input and output; parts are inside them). */
export function usageTokens(rated: Pick<UsageRated, 'quantities'>): number {
  return TOKEN_FIELDS.reduce((total, field) => total + Number(rated.quantities[field] ?? 0), 0);
}
