import { Decimal } from 'decimal.js';
import type { PowerLevel, UsageEvent, UsageService } from '../events/usage-event';
import type { UsageRated } from '../events/usage-rated';
import { AMOUNT_SCALE, formatAmount } from '../money/amount';
import type { PriceCatalog, ModelPrices, TieredPrice } from './price-catalog';
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
  readonly currency?: string;
}

const MILLION = new Decimal(1_000_000);
const ZERO = new Decimal(0);

/**
 * Prices one usage event. Each part of the prompt is charged once at its own price
 * (input_tokens includes cached and cache-write tokens). Parts are rounded to 12 decimals
 * once; cost is their exact sum + markup − discount, so the wire figures add up.
 */
export function rateUsage(
  event: UsageEvent,
  catalog: PriceCatalog,
  context: RatingContext = {},
): UsageRated {
  const data = event.data;
  const provider = data.provider ?? deriveProvider(data.model);
  const lookup = catalog.lookup(provider, data.model, data.service, new Date(event.time));
  const fallback = SERVICE_FALLBACK_PRICES[data.service];
  // A catalog entry without a single price is a free model (e.g. openrouter's ":free" ones).
  const free = lookup.entry !== undefined && Object.keys(lookup.prices).length === 0;
  let usedFallback = false;
  const priceOf = <K extends keyof ModelPrices>(
    key: K,
    quantity: Decimal,
  ): ModelPrices[K] | undefined => {
    const own = lookup.prices[key];
    if (own !== undefined || quantity.isZero() || free) return own;
    usedFallback = true;
    return fallback[key];
  };

  const prompt = data.input_tokens;
  const uncachedInput = new Decimal(
    data.input_tokens - data.cached_input_tokens - data.cache_write_tokens,
  );
  const cached = new Decimal(data.cached_input_tokens);
  const cacheWrite = new Decimal(data.cache_write_tokens);
  const output = new Decimal(data.output_tokens);
  const audioMinutes = new Decimal(data.audio_seconds).dividedBy(60);
  const characters = new Decimal(data.characters);
  const images = new Decimal(data.images);
  const inputPrice = tokenPrice(
    priceOf('inputPerMTok', uncachedInput.plus(cached).plus(cacheWrite)),
    prompt,
  );

  const multiplier = (context.powerLevelMultipliers ?? DEFAULT_POWER_LEVEL_MULTIPLIERS)[
    data.power_level ?? 'balanced'
  ];
  // Most events use two or three of the seven parts: an unused part is zero without arithmetic.
  const part = (quantity: Decimal, unitPrice: Decimal) =>
    quantity.isZero() ? ZERO : round(quantity.times(unitPrice).times(multiplier));
  const input = part(uncachedInput, inputPrice.dividedBy(MILLION));
  const cachedInput = part(
    cached,
    tokenPrice(lookup.prices.cachedInputPerMTok, prompt, inputPrice).dividedBy(MILLION),
  );
  const cacheWriteCost = part(
    cacheWrite,
    tokenPrice(lookup.prices.cacheWritePerMTok, prompt, inputPrice).dividedBy(MILLION),
  );
  const outputCost = part(
    output,
    tokenPrice(priceOf('outputPerMTok', output), prompt).dividedBy(MILLION),
  );
  const audio = part(
    audioMinutes,
    (priceOf('audioPerMinute', audioMinutes) as Decimal | undefined) ?? ZERO,
  );
  const charactersCost = part(
    characters,
    ((priceOf('charactersPerMChars', characters) as Decimal | undefined) ?? ZERO).dividedBy(
      MILLION,
    ),
  );
  const imagesCost = part(images, (priceOf('perImage', images) as Decimal | undefined) ?? ZERO);

  const subtotal = Decimal.sum(
    input,
    cachedInput,
    cacheWriteCost,
    outputCost,
    audio,
    charactersCost,
    imagesCost,
  );
  const markup = subtotal.isZero()
    ? ZERO
    : round(subtotal.times(context.tierMarkupPercent ?? ZERO).dividedBy(100));
  const discountPercent = volumeDiscountPercent(context);
  const discount = round(subtotal.plus(markup).times(discountPercent).dividedBy(100));
  const cost = subtotal.plus(markup).minus(discount);

  return {
    schema_version: 1,
    id: event.id,
    source: event.source,
    account_id: event.subject,
    api_key_id: data.api_key_id,
    occurred_at: event.time,
    service: data.service,
    provider,
    model: data.model,
    quantities: {
      input_tokens: data.input_tokens,
      output_tokens: data.output_tokens,
      cached_input_tokens: data.cached_input_tokens,
      cache_write_tokens: data.cache_write_tokens,
      audio_seconds: data.audio_seconds,
      characters: data.characters,
      images: data.images,
    },
    cost: formatAmount(cost),
    currency: context.currency ?? 'USD',
    price_version: lookup.priceVersion,
    confidence: usedFallback && lookup.confidence === 1 ? 0.5 : lookup.confidence,
    breakdown: {
      input: formatAmount(input),
      output: formatAmount(outputCost),
      cached_input: formatAmount(cachedInput),
      cache_write: formatAmount(cacheWriteCost),
      audio: formatAmount(audio),
      characters: formatAmount(charactersCost),
      images: formatAmount(imagesCost),
      markup: formatAmount(markup),
      discount: formatAmount(discount),
    },
    reservation_id: data.reservation_id,
  };
}

/** A token price for a prompt of this size; `otherwise` when the catalog has none. */
function tokenPrice(
  price: Decimal | TieredPrice | undefined,
  promptTokens: number,
  otherwise: Decimal = ZERO,
): Decimal {
  if (price === undefined) return otherwise;
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

function round(amount: Decimal): Decimal {
  return amount.toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_EVEN);
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

/** The worst-case cost of a call: every output token it may produce, at the prices in force at `at`. */
export function estimateCost(
  call: CallEstimate,
  catalog: PriceCatalog,
  context: RatingContext = {},
): Decimal {
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
  return new Decimal(rated.cost);
}
