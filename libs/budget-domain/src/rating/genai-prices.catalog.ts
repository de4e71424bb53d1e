import { Decimal } from 'decimal.js';
import { findProvider } from '@pydantic/genai-prices';
import type {
  ConditionalPrice,
  MatchLogic,
  ModelInfo,
  ModelPrice,
  TieredPrices,
} from '@pydantic/genai-prices';
import { secondsOfDayUtc } from './price-catalog';
import type {
  CatalogEntry,
  ModelMatcher,
  ModelPrices,
  ProviderRules,
  TimeOfDayWindow,
  TokenPrice,
} from './price-catalog';

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
 * Audio billed at least this long once a call has any, by provider/model. The rule is not in
 * the data but in the data set's own calcPrice; the parity spec notices when it changes.
 */
const MINIMUM_AUDIO_SECONDS: Readonly<Record<string, number>> = {
  'groq/whisper-large-v3': 10,
  'groq/whisper-large-v3-turbo': 10,
};

/**
 * Converts the data set to catalog entries. Only its data is used (its own calcPrice works in
 * floats): every price becomes a Decimal from its shortest decimal representation. Each price
 * variant of a model (start date, time of day, or none) becomes one entry, in the data's order.
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

/**
 * The data set's provider rules among the imported providers: aliases from its provider
 * match rules ("bedrock" and "amazon" are aws, "xai" is x-ai) and its price fallbacks
 * (azure prices models of openai, anthropic, deepseek, x-ai and moonshotai; google of anthropic).
 */
export function genaiPricesProviderRules(
  providers: readonly string[] = GENAI_PRICES_PROVIDERS,
): ProviderRules {
  const imported = new Set(providers);
  const fallbacks = new Map(
    providers.map((id) => [
      id,
      (findProvider({ providerId: id })?.fallback_model_providers ?? []).filter((other) =>
        imported.has(other),
      ),
    ]),
  );
  const aliases = new Map<string, string | undefined>();
  return {
    canonical(name) {
      if (imported.has(name)) return name;
      if (aliases.has(name)) return aliases.get(name);
      const found = findProvider({ providerId: name })?.id;
      const canonical = found !== undefined && imported.has(found) ? found : undefined;
      // Provider names come from outside: the memo stays bounded.
      if (aliases.size >= ALIASES_KEPT) aliases.clear();
      aliases.set(name, canonical);
      return canonical;
    },
    fallbacksOf: (provider) => fallbacks.get(provider) ?? [],
  };
}

const ALIASES_KEPT = 1_000;

function modelEntries(provider: string, model: ModelInfo): CatalogEntry[] {
  const matches = compileMatch(model.match);
  const variants: ConditionalPrice[] = Array.isArray(model.prices)
    ? model.prices
    : [{ prices: model.prices }];
  const minimumAudioSeconds = MINIMUM_AUDIO_SECONDS[`${provider}/${model.id}`];
  return variants.map((variant) => {
    const constraint = variant.constraint;
    return {
      provider,
      modelId: model.id,
      matches,
      effectiveFrom:
        constraint?.type === 'start_date' ? new Date(`${constraint.start_date}T00:00:00Z`) : EPOCH,
      ...(constraint?.type === 'time_of_date' ? { timeOfDay: timeOfDay(constraint) } : {}),
      ...(minimumAudioSeconds ? { minimumAudioSeconds } : {}),
      prices: convertPrices(variant.prices),
      origin: 'genai-prices' as const,
    };
  });
}

function timeOfDay(constraint: { start_time: string; end_time: string }): TimeOfDayWindow {
  // Refused here, when the catalog is built, rather than when an event is rated.
  secondsOfDayUtc(constraint.start_time);
  secondsOfDayUtc(constraint.end_time);
  return { startTime: constraint.start_time, endTime: constraint.end_time };
}

/**
 * The units Tally meters. Prices of other units (web searches, images in tokens, document
 * pages, …) are left out: no usage event carries them.
 */
function convertPrices(prices: ModelPrice): ModelPrices {
  // The more specific unit wins, as in the data set's arithmetic (both are equal in its data).
  const audioHours = prices['input_audio_hours'] ?? prices['audio_hours'];
  const characters = prices['input_mchars'];
  const requestsPerThousand = prices['requests_kcount'];
  return {
    ...optional('inputPerMTok', tokenPrice(prices['input_mtok'])),
    ...optional('outputPerMTok', tokenPrice(prices['output_mtok'])),
    ...optional('cachedInputPerMTok', tokenPrice(prices['cache_read_mtok'])),
    ...optional('cacheWritePerMTok', tokenPrice(prices['cache_write_mtok'])),
    ...optional('inputAudioPerMTok', tokenPrice(prices['input_audio_mtok'])),
    ...optional('cachedAudioInputPerMTok', tokenPrice(prices['cache_audio_read_mtok'])),
    ...optional('outputAudioPerMTok', tokenPrice(prices['output_audio_mtok'])),
    ...optional(
      'audioPerMinute',
      typeof audioHours === 'number' ? decimal(audioHours).dividedBy(60) : undefined,
    ),
    ...optional(
      'charactersPerMChars',
      typeof characters === 'number' ? decimal(characters) : undefined,
    ),
    ...optional(
      'perRequest',
      typeof requestsPerThousand === 'number'
        ? decimal(requestsPerThousand).dividedBy(1000)
        : undefined,
    ),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function tokenPrice(value: number | TieredPrices | undefined): TokenPrice | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return decimal(value);
  return {
    base: decimal(value.base),
    tiers: [...value.tiers]
      .sort((a, b) => a.start - b.start)
      .map((tier) => ({ start: tier.start, price: decimal(tier.price) })),
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
    // Case-sensitive on the lower-cased name, as the data set matches.
    const pattern = new RegExp(logic.regex);
    return (model) => pattern.test(model);
  }
  if ('or' in logic) {
    const parts = logic.or.map(compileMatch);
    return (model) => parts.some((part) => part(model));
  }
  const parts = logic.and.map(compileMatch);
  return (model) => parts.every((part) => part(model));
}
