import { Decimal } from 'decimal.js';
import { roundAmount } from '../money/amount';
import type { VolumeDiscountTier } from '../rating/rate-usage';
import type { Plan } from './plan';

/**
 * Arithmetic wide enough that nothing is rounded before the one rounding to 12 decimals: a
 * NUMERIC(38,12) amount times a month's tokens times a percent has far fewer than 100 digits.
 */
const Exact = Decimal.clone({ precision: 100 });
const ZERO = new Decimal(0);

/** A usage event as a plan prices it. */
export interface UsageToCharge {
  /** Provider cost, as metering rated it. */
  readonly cost: Decimal;
  /** Input plus output tokens: what the month's volume counts (0 for images, audio seconds, characters). */
  readonly tokens: number;
  readonly freeModel: boolean;
}

/** The terms an account's usage is charged on: its plan and the percent coupon in force (0: none). */
export interface ChargeTerms {
  readonly plan: Pick<Plan, 'markupPercentPaid' | 'markupPercentFree' | 'volumeTiers'>;
  readonly couponPercent: Decimal;
}

/** What an account is charged for one event: charged = cost + markup − discount, exactly. */
export interface UsageCharge {
  readonly markup: Decimal;
  /** The volume discount and the coupon's, together. */
  readonly discount: Decimal;
  readonly charged: Decimal;
}

/**
 * Charges one event (ADR 0042). The markup is the plan's percent (paid or free model) of the
 * cost. The volume discount applies to cost + markup, per token: the event's tokens are the
 * month's tokens number `tokensBefore` to `tokensBefore + tokens − 1`, each discounted at the
 * tier its number falls in, so an event that crosses a tier boundary is split there and each
 * side gets its tier's percent in proportion to its tokens. An event without tokens gets the
 * tier the month's volume has reached. A percent coupon then takes its percent of what is left.
 * Markup and each discount are rounded half-even to 12 decimals once; nothing else is rounded.
 */
export function chargeUsage(
  usage: UsageToCharge,
  terms: ChargeTerms,
  tokensBefore: number,
): UsageCharge {
  if (usage.cost.isNegative())
    throw new RangeError(`cannot charge a negative cost (${usage.cost.toFixed()})`);
  if (!Number.isSafeInteger(usage.tokens) || usage.tokens < 0)
    throw new RangeError(`tokens must be a non-negative integer, got ${usage.tokens}`);
  const markupPercent = usage.freeModel
    ? terms.plan.markupPercentFree
    : terms.plan.markupPercentPaid;
  const volume = volumeWeightOf(terms.plan.volumeTiers, tokensBefore, usage.tokens);
  // Most accounts (the free plan) pay cost: nothing to compute, and this runs per event.
  if (markupPercent.isZero() && volume.weighted.isZero() && terms.couponPercent.isZero()) {
    return { markup: ZERO, discount: ZERO, charged: usage.cost };
  }
  const cost = new Exact(usage.cost);
  const markup = roundAmount(cost.times(markupPercent).dividedBy(100));
  const base = cost.plus(markup);
  // Divided by the tokens last: a weighted percent such as 50/3 would otherwise be rounded
  // before the amount is.
  const volumeDiscount = roundAmount(
    base.times(volume.weighted).dividedBy(100).dividedBy(volume.tokens),
  );
  const couponDiscount = roundAmount(
    base.minus(volumeDiscount).times(terms.couponPercent).dividedBy(100),
  );
  const discount = volumeDiscount.plus(couponDiscount);
  return {
    markup: plain(markup),
    discount: plain(discount),
    charged: plain(base.minus(discount)),
  };
}

/**
 * The volume discount percent of an event: the tiers' percents weighted by the event's tokens in
 * each (Σ tokens in tier × percent / tokens).
 */
export function volumePercentOf(
  tiers: readonly VolumeDiscountTier[],
  tokensBefore: number,
  tokens: number,
): Decimal {
  const { weighted, tokens: weight } = volumeWeightOf(tiers, tokensBefore, tokens);
  return weighted.dividedBy(weight);
}

/**
 * The volume discount percent of an event as a fraction, weighted / tokens, so that a caller
 * can divide once, last. An event without tokens weighs 1 at the tier the month has reached.
 */
function volumeWeightOf(
  tiers: readonly VolumeDiscountTier[],
  tokensBefore: number,
  tokens: number,
): { readonly weighted: Decimal; readonly tokens: number } {
  if (tiers.length === 0) return { weighted: ZERO, tokens: 1 };
  if (tokens === 0) return { weighted: new Exact(percentAt(tiers, tokensBefore)), tokens: 1 };
  const end = tokensBefore + tokens;
  let weighted = new Exact(0);
  let position = tokensBefore;
  while (position < end) {
    // The next tier boundary after `position`, or the event's end.
    let segmentEnd = end;
    for (const tier of tiers)
      if (tier.fromTokens > position && tier.fromTokens < segmentEnd) segmentEnd = tier.fromTokens;
    weighted = weighted.plus(new Exact(segmentEnd - position).times(percentAt(tiers, position)));
    position = segmentEnd;
  }
  return { weighted, tokens };
}

/** The percent of the tier the month's token number `position` (0-based) falls in. */
function percentAt(tiers: readonly VolumeDiscountTier[], position: number): Decimal {
  let reached: VolumeDiscountTier | undefined;
  for (const tier of tiers)
    if (tier.fromTokens <= position && (!reached || tier.fromTokens > reached.fromTokens))
      reached = tier;
  return reached?.percent ?? ZERO;
}

/** The first instant of the calendar month (UTC) `at` falls in: the month counters' key. */
export function calendarMonthOf(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/**
 * Back to the library's default Decimal. A constructor copies another Decimal's digits and never
 * rounds, so the value stays exact; so does an operation given another clone's Decimal.
 */
function plain(amount: Decimal): Decimal {
  return new Decimal(amount);
}
