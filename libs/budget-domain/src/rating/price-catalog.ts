import { Decimal } from 'decimal.js';
import type { UsageService } from '../events/usage-event';

/** Prices of one model, as exact decimals. Token prices are per 1M tokens. */
export interface ModelPrices {
  readonly inputPerMTok?: Decimal | TieredPrice;
  readonly outputPerMTok?: Decimal | TieredPrice;
  readonly cachedInputPerMTok?: Decimal | TieredPrice;
  readonly cacheWritePerMTok?: Decimal | TieredPrice;
  /** Speech-to-text, per minute of audio. */
  readonly audioPerMinute?: Decimal;
  /** Text-to-speech, per 1M characters. */
  readonly charactersPerMChars?: Decimal;
  readonly perImage?: Decimal;
}

/**
 * A price that depends on the prompt size (long-context pricing): once the prompt
 * (input_tokens) exceeds a tier's start, every token of that kind costs the tier's price.
 */
export interface TieredPrice {
  readonly base: Decimal;
  readonly tiers: ReadonlyArray<{ readonly start: number; readonly price: Decimal }>;
}

/** A price that applies only at certain hours of the day (UTC), e.g. off-peak discounts. */
export interface TimeOfDayWindow {
  readonly startTime: string;
  readonly endTime: string;
}

export type ModelMatcher = (model: string) => boolean;

/** One version of one model's prices: in force from `effectiveFrom` until a later version. */
export interface CatalogEntry {
  readonly provider: string;
  /** The catalog's name for the model (rated events carry the event's own model name). */
  readonly modelId: string;
  readonly matches: ModelMatcher;
  readonly effectiveFrom: Date;
  readonly prices: ModelPrices;
  readonly timeOfDay?: TimeOfDayWindow;
  /** Where the entry came from: the maintained data set or a local entry (contract, self-hosted). */
  readonly origin: 'genai-prices' | 'local';
}

export interface PriceLookup {
  readonly entry: CatalogEntry | undefined;
  readonly prices: ModelPrices;
  /** 1.0 for a catalog hit, 0.5 for the service's fallback price, 0.1 for the minimal fallback. */
  readonly confidence: 1 | 0.5 | 0.1;
  /** Names the catalog and the entry version, so any rated event can be re-derived. */
  readonly priceVersion: string;
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
}

/**
 * Model prices by provider, model and time. Immutable: replacing prices makes a new catalog
 * (and a new version), so every rated event names exactly the prices it used.
 */
export class PriceCatalog {
  private readonly byProvider = new Map<string, CatalogEntry[]>();
  private readonly matchingByModel = new Map<string, readonly CatalogEntry[]>();

  protected constructor(
    private readonly entries: readonly CatalogEntry[],
    private readonly meta: CatalogMeta,
  ) {
    // Later entries win: local entries are layered after the data set's.
    for (const entry of entries) {
      const provider = entry.provider.toLowerCase();
      const list = this.byProvider.get(provider) ?? [];
      list.push(entry);
      this.byProvider.set(provider, list);
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
   * The prices in force for a model at an instant: the matching entry with the latest
   * effective date not after `at` (local entries win ties), else the service's fallback.
   */
  lookup(provider: string, model: string, service: UsageService, at: Date): PriceLookup {
    const entry = this.findEntry(provider, model, at);
    if (entry) {
      return {
        entry,
        prices: entry.prices,
        confidence: 1,
        priceVersion: `${this.meta.version}:${entry.provider}/${entry.modelId}@${entry.effectiveFrom.toISOString().slice(0, 10)}`,
      };
    }
    const fallback = this.meta.fallbacks?.[service];
    if (fallback) {
      return {
        entry: undefined,
        prices: fallback,
        confidence: 0.5,
        priceVersion: `${this.meta.version}:fallback/${service}`,
      };
    }
    return {
      entry: undefined,
      prices: MINIMAL_FALLBACK_PRICES,
      confidence: 0.1,
      priceVersion: `${this.meta.version}:fallback/minimal`,
    };
  }

  private findEntry(provider: string, model: string, at: Date): CatalogEntry | undefined {
    let best: CatalogEntry | undefined;
    for (const entry of this.entriesMatching(provider, model)) {
      if (entry.effectiveFrom.getTime() > at.getTime()) continue;
      if (entry.timeOfDay && !withinTimeOfDay(entry.timeOfDay, at)) continue;
      if (!best || entry.effectiveFrom.getTime() >= best.effectiveFrom.getTime()) best = entry;
    }
    return best;
  }

  /**
   * The entries whose model matcher accepts this provider's model, in catalog order. Matching
   * runs once per model name (a provider has up to a few hundred entries); the catalog is
   * immutable, so the answer is kept. Bounded, since model names come from the outside.
   */
  private entriesMatching(provider: string, model: string): readonly CatalogEntry[] {
    const key = `${provider.toLowerCase()}\u0000${model}`;
    let matching = this.matchingByModel.get(key);
    if (!matching) {
      const names = modelNames(provider, model);
      matching = (this.byProvider.get(provider.toLowerCase()) ?? []).filter((entry) =>
        names.some((name) => entry.matches(name)),
      );
      if (this.matchingByModel.size >= MATCHES_KEPT) this.matchingByModel.clear();
      this.matchingByModel.set(key, matching);
    }
    return matching;
  }
}

const MATCHES_KEPT = 10_000;

/** "openrouter/anthropic/claude-3.5-sonnet" is known to the openrouter data as "anthropic/claude-3.5-sonnet". */
function modelNames(provider: string, model: string): string[] {
  const lower = model.toLowerCase();
  const prefix = `${provider.toLowerCase()}/`;
  return lower.startsWith(prefix) ? [lower, lower.slice(prefix.length)] : [lower];
}

function withinTimeOfDay(window: TimeOfDayWindow, at: Date): boolean {
  const time = at.toISOString().slice(11, 19);
  const start = window.startTime.slice(0, 8);
  const end = window.endTime.slice(0, 8);
  return start <= end ? time >= start && time < end : time >= start || time < end;
}
