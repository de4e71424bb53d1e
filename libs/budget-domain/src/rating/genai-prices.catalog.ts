import { Decimal } from 'decimal.js';
import { findProvider } from '@pydantic/genai-prices';
import type {
  ConditionalPrice,
  MatchLogic,
  ModelInfo,
  ModelPrice,
  TieredPrices,
} from '@pydantic/genai-prices';
import type { CatalogEntry, ModelMatcher, ModelPrices, TieredPrice } from './price-catalog';

/** The @pydantic/genai-prices release the default catalog is built from (checked by a test). */
export const GENAI_PRICES_VERSION = '0.1.8';

/** Providers taken from the data set; events naming another provider get fallback prices. */
export const GENAI_PRICES_PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'mistral',
  'groq',
  'deepseek',
  'x-ai',
  'cohere',
  'openrouter',
  'aws',
  'azure',
  'together',
  'fireworks',
  'perplexity',
  'novita',
  'cerebras',
  'moonshotai',
] as const;

const EPOCH = new Date(0);

/**
 * Converts the data set to catalog entries. Only its data is used (its own calcPrice works in
 * floats): every price becomes a Decimal from its shortest decimal representation.
 * Start-date price changes become versions with that effective date; off-peak (time of day)
 * prices become entries limited to that window.
 */
export function genaiPricesEntries(
  providers: readonly string[] = GENAI_PRICES_PROVIDERS,
): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  for (const providerId of providers) {
    const provider = findProvider({ providerId });
    if (!provider) continue;
    for (const model of provider.models) entries.push(...modelEntries(providerId, model));
  }
  return entries;
}

function modelEntries(provider: string, model: ModelInfo): CatalogEntry[] {
  const matches = compileMatch(model.match);
  const variants: ConditionalPrice[] = Array.isArray(model.prices)
    ? model.prices
    : [{ prices: model.prices }];
  return variants.map((variant) => {
    const constraint = variant.constraint;
    return {
      provider,
      modelId: model.id,
      matches,
      effectiveFrom:
        constraint?.type === 'start_date' ? new Date(`${constraint.start_date}T00:00:00Z`) : EPOCH,
      ...(constraint?.type === 'time_of_date'
        ? { timeOfDay: { startTime: constraint.start_time, endTime: constraint.end_time } }
        : {}),
      prices: convertPrices(variant.prices),
      origin: 'genai-prices' as const,
    };
  });
}

function convertPrices(prices: ModelPrice): ModelPrices {
  const audioHours = prices['audio_hours'] ?? prices['input_audio_hours'];
  return {
    ...optional('inputPerMTok', tokenPrice(prices['input_mtok'])),
    ...optional('outputPerMTok', tokenPrice(prices['output_mtok'])),
    ...optional('cachedInputPerMTok', tokenPrice(prices['cache_read_mtok'])),
    ...optional('cacheWritePerMTok', tokenPrice(prices['cache_write_mtok'])),
    ...optional(
      'audioPerMinute',
      typeof audioHours === 'number' ? decimal(audioHours).dividedBy(60) : undefined,
    ),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function tokenPrice(value: number | TieredPrices | undefined): Decimal | TieredPrice | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return decimal(value);
  return {
    base: decimal(value.base),
    tiers: value.tiers.map((tier) => ({ start: tier.start, price: decimal(tier.price) })),
  };
}

function decimal(value: number): Decimal {
  return new Decimal(String(value));
}

/** The data set's match rules as a predicate over lower-cased model names. */
export function compileMatch(logic: MatchLogic): ModelMatcher {
  if ('equals' in logic) return (model) => model === logic.equals.toLowerCase();
  if ('starts_with' in logic) return (model) => model.startsWith(logic.starts_with.toLowerCase());
  if ('ends_with' in logic) return (model) => model.endsWith(logic.ends_with.toLowerCase());
  if ('contains' in logic) return (model) => model.includes(logic.contains.toLowerCase());
  if ('regex' in logic) {
    const pattern = new RegExp(logic.regex, 'i');
    return (model) => pattern.test(model);
  }
  if ('or' in logic) {
    const parts = logic.or.map(compileMatch);
    return (model) => parts.some((part) => part(model));
  }
  const parts = logic.and.map(compileMatch);
  return (model) => parts.every((part) => part(model));
}
