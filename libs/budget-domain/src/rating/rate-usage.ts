import { Decimal } from 'decimal.js';
import type { PowerLevel, UsageData, UsageEvent, UsageService } from '../events/usage-event';
import type { UsageRated } from '../events/usage-rated';
import { formatAmount, roundAmount } from '../money/amount';
import { BOOKS_CURRENCY } from '../money/currency';
import type { PriceCatalog, PriceLookup, TokenPrice } from './price-catalog';
import { SERVICE_FALLBACK_PRICES } from './price-catalog';
import { deriveProvider } from './provider';

/** Cost multiplier per power level: eco < balanced < precision. */
export const DEFAULT_POWER_LEVEL_MULTIPLIERS: Readonly<Record<PowerLevel, Decimal>> = {
  eco: new Decimal('0.8'),
  balanced: new Decimal('1'),
  precision: new Decimal('1.25'),
};

/** A discount that applies once an account's tokens this month reach `fromTokens`. */
export interface VolumeDiscountTier {
  readonly fromTokens: number;
  readonly percent: Decimal;
}

/** e.g. enterprise: -20 % above 1M tokens a month. */
export const ENTERPRISE_VOLUME_TIERS: readonly VolumeDiscountTier[] = [
  { fromTokens: 1_000_000, percent: new Decimal('20') },
];

export interface RatingContext {
  /** Markup on paid usage, in percent (e.g. "10" for models resold through a router). */
  readonly tierMarkupPercent?: Decimal;
  /** Tokens the account used this month before this event. */
  readonly monthlyTokenVolume?: number;
  readonly volumeDiscountTiers?: readonly VolumeDiscountTier[];
  readonly powerLevelMultipliers?: Readonly<Record<PowerLevel, Decimal>>;
}

const MILLION = new Decimal(1_000_000);
const ZERO = new Decimal(0);

/**
 * Prices one usage event. Each part of the prompt is charged once at its own price
 * (input_tokens includes cached, cache-write and audio tokens). Parts are rounded to 12
 * decimals once; cost is their exact sum + markup − discount, so the wire figures add up.
 */
export function rateUsage(
  event: UsageEvent,
  catalog: PriceCatalog,
  context: RatingContext = {},
): UsageRated {
  const data = event.data;
  const lookup = lookupPrices(data, catalog, new Date(event.time));
  const multiplier = (context.powerLevelMultipliers ?? DEFAULT_POWER_LEVEL_MULTIPLIERS)[
    data.power_level ?? 'balanced'
  ];
  const charges = chargesOf(data, lookup);
  // Most events use two or three parts: an unused part is zero without arithmetic.
  const part = (amount: Decimal) =>
    amount.isZero() ? ZERO : roundAmount(amount.times(multiplier));
  const input = part(charges.input);
  const cachedInput = part(charges.cachedInput);
  const cacheWrite = part(charges.cacheWrite);
  const output = part(charges.output);
  const audio = part(charges.audio);
  const characters = part(charges.characters);
  const images = part(charges.images);
  const requests = part(charges.requests);

  const subtotal = sumOf([
    input,
    cachedInput,
    cacheWrite,
    output,
    audio,
    characters,
    images,
    requests,
  ]);
  const markupPercent = context.tierMarkupPercent ?? ZERO;
  const markup =
    subtotal.isZero() || markupPercent.isZero()
      ? ZERO
      : roundAmount(subtotal.times(markupPercent).dividedBy(100));
  const beforeDiscount = subtotal.plus(markup);
  const discountPercent = volumeDiscountPercent(context);
  const discount = discountPercent.isZero()
    ? ZERO
    : roundAmount(beforeDiscount.times(discountPercent).dividedBy(100));
  const cost = beforeDiscount.minus(discount);

  return {
    schema_version: 1,
    id: event.id,
    source: event.source,
    account_id: event.subject,
    api_key_id: data.api_key_id,
    occurred_at: event.time,
    service: data.service,
    provider: lookup.provider,
    model: data.model,
    quantities: {
      input_tokens: data.input_tokens,
      output_tokens: data.output_tokens,
      cached_input_tokens: data.cached_input_tokens,
      cache_write_tokens: data.cache_write_tokens,
      input_audio_tokens: data.input_audio_tokens,
      output_audio_tokens: data.output_audio_tokens,
      audio_seconds: data.audio_seconds,
      characters: data.characters,
      images: data.images,
    },
    cost: formatAmount(cost),
    // Catalog prices are USD, the books' currency: rating converts nothing.
    currency: BOOKS_CURRENCY,
    price_version: lookup.priceVersion,
    confidence: charges.usedFallback && lookup.confidence === 1 ? 0.5 : lookup.confidence,
    breakdown: {
      input: formatAmount(input),
      output: formatAmount(output),
      cached_input: formatAmount(cachedInput),
      cache_write: formatAmount(cacheWrite),
      audio: formatAmount(audio),
      characters: formatAmount(characters),
      images: formatAmount(images),
      requests: formatAmount(requests),
      markup: formatAmount(markup),
      discount: formatAmount(discount),
    },
    reservation_id: data.reservation_id,
  };
}

/**
 * The prices of the event's model. Without a provider, a name's leading segment that the
 * catalog prices the model under names it ("azure/o1", "bedrock/…"), as gateways write names and
 * the price data reads them; otherwise the provider is derived from the model's family.
 */
function lookupPrices(data: UsageData, catalog: PriceCatalog, at: Date): PriceLookup {
  if (data.provider !== undefined)
    return catalog.lookup(data.provider, data.model, data.service, at);
  const slash = data.model.indexOf('/');
  if (slash > 0) {
    const named = catalog.lookup(data.model.slice(0, slash), data.model, data.service, at);
    if (named.entry) return named;
  }
  return catalog.lookup(deriveProvider(data.model), data.model, data.service, at);
}

/** The exact cost of each part of a call, before power level, rounding, markup and discount. */
interface Charges {
  readonly input: Decimal;
  readonly cachedInput: Decimal;
  readonly cacheWrite: Decimal;
  readonly output: Decimal;
  /** Audio tokens in and out, cached audio tokens, and seconds of audio. */
  readonly audio: Decimal;
  readonly characters: Decimal;
  readonly images: Decimal;
  readonly requests: Decimal;
  /** A known model lacked the price of a unit the call used and the service's fallback priced it. */
  readonly usedFallback: boolean;
}

/**
 * Splits the call into disjoint parts as the data set's own arithmetic does. Cache reads and
 * writes without a price of their own cost the input price; audio tokens without one count as
 * text. A general unit (input or output tokens, audio seconds, characters, images) the entry
 * does not price costs nothing when the entry comes from the data set (ADR 0020); for a local
 * entry the service's fallback price applies and lowers the confidence.
 */
function chargesOf(data: UsageData, lookup: PriceLookup): Charges {
  const prices = lookup.prices;
  const entry = lookup.entry;
  const unpricedIsFree =
    entry !== undefined && (entry.origin === 'genai-prices' || Object.keys(prices).length === 0);
  const fallback = SERVICE_FALLBACK_PRICES[data.service];
  let usedFallback = false;
  const generalPrice = <K extends 'inputPerMTok' | 'outputPerMTok'>(key: K, tokens: number) => {
    const own = prices[key];
    if (own !== undefined || tokens === 0 || unpricedIsFree) return own;
    usedFallback = true;
    return fallback[key];
  };
  const perUnit = (
    key: 'audioPerMinute' | 'charactersPerMChars' | 'perImage',
    quantity: Decimal,
    unitsPerPrice: Decimal.Value,
  ): Decimal => {
    if (quantity.isZero()) return ZERO;
    let price = prices[key];
    if (price === undefined && !unpricedIsFree) {
      usedFallback = true;
      price = fallback[key];
    }
    return price === undefined ? ZERO : quantity.times(price).dividedBy(unitsPerPrice);
  };

  const prompt = data.input_tokens;
  const cached = data.cached_input_tokens;
  const writes = data.cache_write_tokens;
  const audioIn = prices.inputAudioPerMTok !== undefined ? data.input_audio_tokens : 0;
  // The event does not say which audio tokens were cache reads: as few as its figures allow.
  const overlap = Math.max(0, cached + writes + audioIn - prompt);
  const cachedAudio = Math.min(cached, audioIn, overlap);
  // The rest of the overlap are cache writes that are audio: charged once, among the audio
  // tokens, as calcPrice does (no model of the data set prices both).
  const writtenAudio = overlap - cachedAudio;
  const freshText = prompt - cached - writes - audioIn + cachedAudio + writtenAudio;
  const cachedText = cached - cachedAudio;
  const writtenText = writes - writtenAudio;
  const audioOut = prices.outputAudioPerMTok !== undefined ? data.output_audio_tokens : 0;
  const textOut = data.output_tokens - audioOut;
  const inputPrice = generalPrice(
    'inputPerMTok',
    freshText +
      (prices.cachedInputPerMTok === undefined ? cachedText : 0) +
      (prices.cacheWritePerMTok === undefined ? writtenText : 0),
  );

  const tokens = (count: number, price: TokenPrice | undefined) =>
    count === 0 || price === undefined
      ? ZERO
      : new Decimal(count).times(tokenPrice(price, prompt)).dividedBy(MILLION);
  const seconds = new Decimal(data.audio_seconds);
  const billedSeconds = seconds.isZero()
    ? seconds
    : Decimal.max(seconds, entry?.minimumAudioSeconds ?? 0);

  return {
    input: tokens(freshText, inputPrice),
    cachedInput: tokens(cachedText, prices.cachedInputPerMTok ?? inputPrice),
    cacheWrite: tokens(writtenText, prices.cacheWritePerMTok ?? inputPrice),
    output: tokens(textOut, generalPrice('outputPerMTok', textOut)),
    audio: sumOf([
      tokens(audioIn - cachedAudio, prices.inputAudioPerMTok),
      tokens(cachedAudio, prices.cachedAudioInputPerMTok ?? prices.inputAudioPerMTok),
      tokens(audioOut, prices.outputAudioPerMTok),
      perUnit('audioPerMinute', billedSeconds, 60),
    ]),
    characters: perUnit('charactersPerMChars', count(data.characters), MILLION),
    images: perUnit('perImage', count(data.images), 1),
    requests: prices.perRequest ?? ZERO,
    usedFallback,
  };
}

/** Decimal.sum of the parts that are not zero (most of a call's): the same sum, fewer Decimals. */
function sumOf(amounts: readonly Decimal[]): Decimal {
  const nonZero = amounts.filter((amount) => !amount.isZero());
  return nonZero.length === 0 ? ZERO : Decimal.sum(...nonZero);
}

const count = (units: number): Decimal => (units === 0 ? ZERO : new Decimal(units));

/** A token price for a prompt of this size: a tier applies once the prompt exceeds its start. */
function tokenPrice(price: TokenPrice, promptTokens: number): Decimal {
  if (Decimal.isDecimal(price)) return price;
  let applicable = price.base;
  for (const tier of price.tiers) if (promptTokens > tier.start) applicable = tier.price;
  return applicable;
}

function volumeDiscountPercent(context: RatingContext): Decimal {
  const volume = context.monthlyTokenVolume ?? 0;
  let percent = ZERO;
  for (const tier of context.volumeDiscountTiers ?? [])
    if (volume >= tier.fromTokens) percent = tier.percent;
  return percent;
}

/** A call that has not happened yet, as an authorization describes it. */
export interface CallEstimate {
  readonly service: UsageService;
  readonly model: string;
  readonly provider?: string;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** The power level the call will be rated at (balanced when its usage event names none). */
  readonly powerLevel?: PowerLevel;
  readonly at: Date;
}

/**
 * The worst-case cost of a call: every output token it may produce, at the prices in force at
 * `at`; and the rating's confidence (1: the catalog prices the model; below: a fallback price).
 */
export function estimateCall(
  call: CallEstimate,
  catalog: PriceCatalog,
  context: RatingContext = {},
): { cost: Decimal; confidence: number } {
  const rated = rateUsage(
    {
      specversion: '1.0',
      id: 'estimate',
      source: 'estimate',
      type: 'ai.usage',
      subject: 'estimate',
      time: call.at.toISOString(),
      data: {
        api_key_id: null,
        service: call.service,
        model: call.model,
        ...(call.provider ? { provider: call.provider } : {}),
        input_tokens: call.inputTokens,
        output_tokens: call.maxOutputTokens,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        input_audio_tokens: 0,
        output_audio_tokens: 0,
        audio_seconds: '0',
        characters: 0,
        images: 0,
        ...(call.powerLevel ? { power_level: call.powerLevel } : {}),
        reservation_id: null,
      },
    },
    catalog,
    context,
  );
  return { cost: new Decimal(rated.cost), confidence: rated.confidence };
}

/** The worst-case cost of a call (`estimateCall` without its confidence). */
export function estimateCost(
  call: CallEstimate,
  catalog: PriceCatalog,
  context: RatingContext = {},
): Decimal {
  return estimateCall(call, catalog, context).cost;
}
