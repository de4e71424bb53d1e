import { Decimal } from 'decimal.js';
import type { CatalogEntry } from './price-catalog';
import { PriceCatalog, SERVICE_FALLBACK_PRICES } from './price-catalog';
import {
  GENAI_PRICES_VERSION,
  genaiPricesEntries,
  genaiPricesProviderRules,
} from './genai-prices.catalog';

const ZERO = new Decimal(0);
const EPOCH = new Date(0);

/**
 * Local entries layered on the data set: self-hosted models cost nothing, and a few models
 * the data set prices in units Tally does not meter (per character, per image) get prices
 * from the providers' published list prices.
 */
export const LOCAL_ENTRIES: readonly CatalogEntry[] = [
  {
    provider: 'local',
    modelId: '*',
    matches: () => true,
    effectiveFrom: EPOCH,
    prices: {
      inputPerMTok: ZERO,
      outputPerMTok: ZERO,
      cachedInputPerMTok: ZERO,
      cacheWritePerMTok: ZERO,
      audioPerMinute: ZERO,
      charactersPerMChars: ZERO,
      perImage: ZERO,
    },
    origin: 'local',
  },
  entry('openai', 'tts-1', { charactersPerMChars: new Decimal('15') }),
  entry('openai', 'tts-1-hd', { charactersPerMChars: new Decimal('30') }),
  entry('openai', 'dall-e-3', { perImage: new Decimal('0.04') }),
  entry('openai', 'dall-e-2', { perImage: new Decimal('0.02') }),
];

function entry(provider: string, model: string, prices: CatalogEntry['prices']): CatalogEntry {
  return {
    provider,
    modelId: model,
    matches: (name) => name === model,
    effectiveFrom: EPOCH,
    prices,
    origin: 'local',
  };
}

let memo: PriceCatalog | undefined;

/** genai-prices data + local entries + service fallbacks; built once per process. */
export function defaultCatalog(): PriceCatalog {
  memo ??= PriceCatalog.fromEntries(genaiPricesEntries(), {
    version: `genai-prices@${GENAI_PRICES_VERSION}`,
    fallbacks: SERVICE_FALLBACK_PRICES,
    providers: genaiPricesProviderRules(),
  }).withEntries(LOCAL_ENTRIES);
  return memo;
}
