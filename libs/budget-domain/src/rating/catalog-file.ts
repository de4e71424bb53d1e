import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { describeIssue, parseJson } from '../events/parse-result';
import { isoTimestamp, nonNegativeAmountString } from '../events/wire';
import type { CatalogEntry, ModelPrices } from './price-catalog';
import { localEntry } from './price-catalog';

const pricesSchema = z
  .object({
    input_per_mtok: nonNegativeAmountString,
    output_per_mtok: nonNegativeAmountString,
    cached_input_per_mtok: nonNegativeAmountString,
    cache_write_per_mtok: nonNegativeAmountString,
    audio_per_minute: nonNegativeAmountString,
    characters_per_mchars: nonNegativeAmountString,
    per_image: nonNegativeAmountString,
  })
  .partial()
  .strict();

const catalogFileSchema = z.object({
  version: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only'),
  entries: z.array(
    z.object({
      provider: z.string().min(1),
      model: z.string().min(1),
      effective_from: isoTimestamp.optional(),
      prices: pricesSchema,
    }),
  ),
});

export class InvalidCatalogError extends Error {
  readonly code = 'INVALID_CATALOG';
}

/**
 * Local catalog entries from a JSON document (contract prices, self-hosted models), layered
 * on the default catalog at run time:
 * `{ "version": "contract-7", "entries": [{ "provider": "acme", "model": "acme-1",
 *    "effective_from": "2026-11-01T00:00:00Z", "prices": { "input_per_mtok": "1.00" } }] }`
 */
export function parseCatalogFile(raw: string | Buffer): {
  version: string;
  entries: CatalogEntry[];
} {
  const json = parseJson(raw);
  if (!json.ok) throw new InvalidCatalogError(`catalog file: ${json.error}`);
  const parsed = catalogFileSchema.safeParse(json.value);
  if (!parsed.success)
    throw new InvalidCatalogError(`catalog file: ${describeIssue(parsed.error)}`);
  return {
    version: parsed.data.version,
    entries: parsed.data.entries.map((entry) =>
      localEntry(
        entry.provider,
        entry.model,
        toModelPrices(entry.prices),
        entry.effective_from ? new Date(entry.effective_from) : undefined,
      ),
    ),
  };
}

function toModelPrices(prices: z.infer<typeof pricesSchema>): ModelPrices {
  const decimal = (value: string | undefined) =>
    value === undefined ? undefined : new Decimal(value);
  const result: Record<string, Decimal | undefined> = {
    inputPerMTok: decimal(prices.input_per_mtok),
    outputPerMTok: decimal(prices.output_per_mtok),
    cachedInputPerMTok: decimal(prices.cached_input_per_mtok),
    cacheWritePerMTok: decimal(prices.cache_write_per_mtok),
    audioPerMinute: decimal(prices.audio_per_minute),
    charactersPerMChars: decimal(prices.characters_per_mchars),
    perImage: decimal(prices.per_image),
  };
  return Object.fromEntries(
    Object.entries(result).filter(([, value]) => value !== undefined),
  ) as ModelPrices;
}
