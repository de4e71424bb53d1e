import { Decimal } from 'decimal.js';
import type { UsageService } from '../events/usage-event';

/** A token price: one figure, or one that depends on the prompt size. Per 1M tokens. */
export type TokenPrice = Decimal | TieredPrice;

/** Prices of one model, as exact decimals. Token prices are per 1M tokens. */
export interface ModelPrices {
  readonly inputPerMTok?: TokenPrice;
  readonly outputPerMTok?: TokenPrice;
  readonly cachedInputPerMTok?: TokenPrice;
  readonly cacheWritePerMTok?: TokenPrice;
  /** Audio tokens of the prompt; cached ones at `cachedAudioInputPerMTok` when that is priced. */
  readonly inputAudioPerMTok?: TokenPrice;
  readonly cachedAudioInputPerMTok?: TokenPrice;
  readonly outputAudioPerMTok?: TokenPrice;
  /** Speech-to-text, per minute of audio. */
  readonly audioPerMinute?: Decimal;
  /** Text-to-speech, per 1M characters. */
  readonly charactersPerMChars?: Decimal;
  readonly perImage?: Decimal;
  /** A fee for every call, whatever it used (e.g. Perplexity's request fee). */
  readonly perRequest?: Decimal;
}

/**
 * A price that depends on the prompt size (long-context pricing): once the prompt
 * (input_tokens) exceeds a tier's start, every token of that kind costs the tier's price.
 */
export interface TieredPrice {
  readonly base: Decimal;
  /** Ascending by start. */
  readonly tiers: ReadonlyArray<{ readonly start: number; readonly price: Decimal }>;
}

/**
 * A price that applies only at certain hours of the day, e.g. off-peak discounts. Times are
 * `HH:MM:SS` with an optional fraction and a `Z` or `±HH:MM` offset.
 */
export interface TimeOfDayWindow {
  readonly startTime: string;
  readonly endTime: string;
}

export type ModelMatcher = (model: string) => boolean;

/**
 * One version of one model's prices. A local entry is in force from `effectiveFrom` until a
 * later local entry of the same model. The data set's entries of one model are its price
 * variants, in the data set's order (see `PriceCatalog.lookup`).
 */
export interface CatalogEntry {
  readonly provider: string;
  /** The catalog's name for the model (rated events carry the event's own model name). */
  readonly modelId: string;
  readonly matches: ModelMatcher;
  readonly effectiveFrom: Date;
  readonly prices: ModelPrices;
  readonly timeOfDay?: TimeOfDayWindow;
  /** Audio shorter than this is billed as this long, once a call has any (Groq's Whisper: 10 s). */
  readonly minimumAudioSeconds?: number;
  /** Where the entry came from: the maintained data set or a local entry (contract, self-hosted). */
  readonly origin: 'genai-prices' | 'local';
}

export interface PriceLookup {
  /** The catalog's id of the event's provider ("bedrock" is "aws"), or the name as sent. */
  readonly provider: string;
  readonly entry: CatalogEntry | undefined;
  readonly prices: ModelPrices;
  /** 1.0 for a catalog hit, 0.5 for the service's fallback price, 0.1 for the minimal fallback. */
  readonly confidence: 1 | 0.5 | 0.1;
  /** Names the catalog and the entry version, so any rated event can be re-derived. */
  readonly priceVersion: string;
}

/** How events name providers, and which providers price models of others. */
export interface ProviderRules {
  /** The catalog's id for a provider as an event names it (lower-cased), if it knows one. */
  canonical(name: string): string | undefined;
  /** Providers whose data-set models price a provider's models it has no entry for, in order. */
  fallbacksOf(provider: string): readonly string[];
}

const EPOCH = new Date(0);

/** A local entry for a model priced by exact name (a contract, a self-hosted model). */
export function localEntry(
  provider: string,
  model: string,
  prices: ModelPrices,
  effectiveFrom: Date = EPOCH,
): CatalogEntry {
  const name = model.toLowerCase();
  return {
    provider,
    modelId: model,
    matches: (candidate) => candidate.toLowerCase() === name,
    effectiveFrom,
    prices,
    origin: 'local',
  };
}

const mtok = (value: string) => new Decimal(value);

/**
 * Prices for a model the catalog does not know, per service: deliberately mid-market so an
 * unknown model is neither free nor absurd. Rated with confidence 0.5.
 */
export const SERVICE_FALLBACK_PRICES: Readonly<Record<UsageService, ModelPrices>> = {
  llm: {
    inputPerMTok: mtok('1'),
    outputPerMTok: mtok('3'),
    cachedInputPerMTok: mtok('0.1'),
    cacheWritePerMTok: mtok('1.25'),
  },
  embedding: { inputPerMTok: mtok('0.1') },
  stt: { audioPerMinute: mtok('0.006') },
  tts: { charactersPerMChars: mtok('15') },
  image: { perImage: mtok('0.04') },
};

/** The last resort when even the service has no fallback in this catalog. Confidence 0.1. */
export const MINIMAL_FALLBACK_PRICES: ModelPrices = {
  inputPerMTok: mtok('0.1'),
  outputPerMTok: mtok('0.1'),
  audioPerMinute: mtok('0.001'),
  charactersPerMChars: mtok('1'),
  perImage: mtok('0.01'),
};

export interface CatalogMeta {
  /** e.g. "genai-prices@0.1.8" or "custom-2026-11". */
  readonly version: string;
  readonly fallbacks?: Partial<Record<UsageService, ModelPrices>>;
  /** Provider aliases and fallbacks; without them providers are matched by name only. */
  readonly providers?: ProviderRules;
}

/** One model of the data set with its price variants, in the data set's order. */
interface DataSetModel {
  readonly matches: ModelMatcher;
  readonly variants: CatalogEntry[];
}

/** What a (provider, model name) pair matches, worked out once per name. */
interface Candidates {
  readonly local: readonly CatalogEntry[];
  readonly dataSet: DataSetModel | undefined;
}

/**
 * Model prices by provider, model and time. Immutable: replacing prices makes a new catalog
 * (and a new version), so every rated event names exactly the prices it used.
 */
export class PriceCatalog {
  private readonly localByProvider = new Map<string, CatalogEntry[]>();
  private readonly dataSetByProvider = new Map<string, DataSetModel[]>();
  private readonly candidatesByName = new Map<string, Candidates>();
  /** Each entry's price version, made once: an entry's version never changes in a catalog. */
  private readonly versionByEntry = new Map<CatalogEntry, string>();

  protected constructor(
    private readonly entries: readonly CatalogEntry[],
    private readonly meta: CatalogMeta,
  ) {
    const models = new Map<string, DataSetModel>();
    for (const entry of entries) {
      const provider = this.canonicalProvider(entry.provider);
      if (entry.origin === 'local') {
        // Later entries win: local entries are layered after the data set's.
        const list = this.localByProvider.get(provider) ?? [];
        list.push(entry);
        this.localByProvider.set(provider, list);
        continue;
      }
      const key = `${provider}\u0000${entry.modelId}`;
      const model = models.get(key);
      if (model) {
        model.variants.push(entry);
        continue;
      }
      const created: DataSetModel = { matches: entry.matches, variants: [entry] };
      models.set(key, created);
      const list = this.dataSetByProvider.get(provider) ?? [];
      list.push(created);
      this.dataSetByProvider.set(provider, list);
    }
  }

  static fromEntries(entries: readonly CatalogEntry[], meta: CatalogMeta): PriceCatalog {
    return new PriceCatalog(entries, meta);
  }

  get version(): string {
    return this.meta.version;
  }

  get size(): number {
    return this.entries.length;
  }

  /** A new catalog with these entries on top (they win over existing ones for the same model). */
  withEntries(entries: readonly CatalogEntry[], label = 'local'): PriceCatalog {
    return new PriceCatalog([...this.entries, ...entries], {
      ...this.meta,
      version: `${this.meta.version}+${label}.${entries.length}`,
    });
  }

  /**
   * The prices in force for a model at an instant. A local entry wins: the matching one with
   * the latest effective date not after `at`. Otherwise the data set decides as its own
   * calcPrice does: the provider's first model that matches (else the first of a provider it
   * borrows prices from, e.g. azure from openai; else the same with `-YYYYMMDD` written
   * `-YYYY-MM-DD`), and of its variants the last that applies at `at` (a start date passed,
   * or inside a time-of-day window), else its first. Without an entry: the service's fallback.
   */
  lookup(provider: string, model: string, service: UsageService, at: Date): PriceLookup {
    const canonical = this.canonicalProvider(provider);
    const entry = this.findEntry(provider, canonical, model, at);
    if (entry) {
      return {
        provider: canonical,
        entry,
        prices: entry.prices,
        confidence: 1,
        priceVersion: this.priceVersionOf(entry),
      };
    }
    const fallback = this.meta.fallbacks?.[service];
    if (fallback) {
      return {
        provider: canonical,
        entry: undefined,
        prices: fallback,
        confidence: 0.5,
        priceVersion: `${this.meta.version}:fallback/${service}`,
      };
    }
    return {
      provider: canonical,
      entry: undefined,
      prices: MINIMAL_FALLBACK_PRICES,
      confidence: 0.1,
      priceVersion: `${this.meta.version}:fallback/minimal`,
    };
  }

  private priceVersionOf(entry: CatalogEntry): string {
    let version = this.versionByEntry.get(entry);
    if (version === undefined) {
      version = `${this.meta.version}:${entry.provider}/${entry.modelId}@${versionLabel(entry)}`;
      this.versionByEntry.set(entry, version);
    }
    return version;
  }

  private canonicalProvider(provider: string): string {
    const name = provider.trim().toLowerCase();
    return this.meta.providers?.canonical(name) ?? name;
  }

  private findEntry(
    provider: string,
    canonical: string,
    model: string,
    at: Date,
  ): CatalogEntry | undefined {
    const candidates = this.candidates(provider, canonical, model);
    let local: CatalogEntry | undefined;
    for (const entry of candidates.local) {
      if (!applies(entry, at)) continue;
      if (!local || entry.effectiveFrom.getTime() >= local.effectiveFrom.getTime()) local = entry;
    }
    if (local) return local;
    const variants = candidates.dataSet?.variants;
    if (!variants) return undefined;
    for (let index = variants.length - 1; index >= 0; index--) {
      const variant = variants[index];
      if (variant && applies(variant, at)) return variant;
    }
    return variants[0];
  }

  /**
   * Matching runs once per model name (a provider has up to several hundred models); the
   * catalog is immutable, so the answer is kept. Bounded, since model names come from outside.
   */
  private candidates(provider: string, canonical: string, model: string): Candidates {
    const key = `${canonical}\u0000${provider}\u0000${model}`;
    let candidates = this.candidatesByName.get(key);
    if (!candidates) {
      const names = modelNames(provider, canonical, model);
      candidates = {
        local: (this.localByProvider.get(canonical) ?? []).filter((entry) =>
          names.some((name) => entry.matches(name)),
        ),
        dataSet: firstDefined(names, (name) => this.dataSetModel(canonical, name)),
      };
      if (this.candidatesByName.size >= CANDIDATES_KEPT) this.candidatesByName.clear();
      this.candidatesByName.set(key, candidates);
    }
    return candidates;
  }

  private dataSetModel(provider: string, name: string): DataSetModel | undefined {
    const found = this.dataSetModelOf(provider, name);
    if (found) return found;
    const dated = withDashedDates(name);
    return dated === name ? undefined : this.dataSetModelOf(provider, dated);
  }

  private dataSetModelOf(provider: string, name: string): DataSetModel | undefined {
    for (const source of [provider, ...(this.meta.providers?.fallbacksOf(provider) ?? [])]) {
      const model = this.dataSetByProvider
        .get(source)
        ?.find((candidate) => candidate.matches(name));
      if (model) return model;
    }
    return undefined;
  }
}

const CANDIDATES_KEPT = 10_000;

function firstDefined<T, R>(items: readonly T[], find: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const found = find(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * "openrouter/anthropic/claude-3.5-sonnet" is known to the openrouter data as
 * "anthropic/claude-3.5-sonnet"; the name as sent is tried first.
 */
function modelNames(provider: string, canonical: string, model: string): string[] {
  const lower = model.trim().toLowerCase();
  const names = [lower];
  for (const prefix of new Set([`${provider.trim().toLowerCase()}/`, `${canonical}/`])) {
    if (lower.startsWith(prefix)) names.push(lower.slice(prefix.length));
  }
  return names;
}

const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** "claude-3-5-sonnet-20240620" -> "claude-3-5-sonnet-2024-06-20", as the data set retries. */
function withDashedDates(name: string): string {
  return name.replace(
    COMPACT_DATE,
    (whole: string, dash: string, y: string, m: string, d: string) => {
      const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
      return date.getUTCMonth() === Number(m) - 1 ? `${dash}${y}-${m}-${d}` : whole;
    },
  );
}

function applies(entry: CatalogEntry, at: Date): boolean {
  if (entry.effectiveFrom.getTime() > at.getTime()) return false;
  return !entry.timeOfDay || withinTimeOfDay(entry.timeOfDay, at);
}

function versionLabel(entry: CatalogEntry): string {
  const window = entry.timeOfDay;
  const date = entry.effectiveFrom.toISOString().slice(0, 10);
  return window ? `${date}[${window.startTime}-${window.endTime}]` : date;
}

const DAY_SECONDS = 86_400;
const TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Seconds after midnight UTC of a time of day like "16:30:00Z" or "00:30:00+08:00". */
export function secondsOfDayUtc(time: string): number {
  const parts = TIME_OF_DAY.exec(time);
  if (!parts) throw new RangeError(`not a time of day: "${time}"`);
  const [, hours, minutes, seconds, fraction = '', sign, offsetHours = '0', offsetMinutes = '0'] =
    parts;
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60 * (sign === '-' ? -1 : 1);
  const local =
    Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(`0${fraction}`);
  return (local - offset + DAY_SECONDS) % DAY_SECONDS;
}

function withinTimeOfDay(window: TimeOfDayWindow, at: Date): boolean {
  const time =
    at.getUTCHours() * 3600 +
    at.getUTCMinutes() * 60 +
    at.getUTCSeconds() +
    at.getUTCMilliseconds() / 1000;
  const start = secondsOfDayUtc(window.startTime);
  const end = secondsOfDayUtc(window.endTime);
  return start <= end ? time >= start && time < end : time >= start || time < end;
}
