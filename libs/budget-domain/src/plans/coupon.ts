import { Decimal } from 'decimal.js';

/** What a coupon gives: a fixed promotional credit, or a percent off usage for some days. */
export type CouponGift =
  | { readonly kind: 'credit'; readonly amount: Decimal }
  | { readonly kind: 'percent'; readonly percent: Decimal; readonly durationDays: number };

/** A coupon as created: a code, what it gives, until when it may be redeemed and how often. */
export interface CouponDefinition {
  readonly code: string;
  readonly gift: CouponGift;
  /** After this instant it can no longer be redeemed; null: never expires. */
  readonly expiresAt: Date | null;
  /** How many accounts may redeem it; null: no limit. */
  readonly maxRedemptions: number | null;
}

export class InvalidCouponError extends Error {
  readonly code = 'INVALID_COUPON';
}

/** Why a redemption is refused; each is its own error code (DESIGN 4, Plans). */
export type CouponRefusal =
  'COUPON_NOT_FOUND' | 'COUPON_ALREADY_REDEEMED' | 'COUPON_EXPIRED' | 'COUPON_EXHAUSTED';

/** More than this in one coupon is a typo, not a promotion (as for a credit grant). */
export const MAX_COUPON_CREDIT = new Decimal('1000000');
export const MAX_COUPON_DAYS = 3660;
/** The most redemptions the ledger's counter (a PostgreSQL integer) holds; beyond it an insert fails. */
export const MAX_COUPON_REDEMPTIONS = 2_147_483_647;
const COUPON_CODE = /^[A-Z0-9][A-Z0-9_-]{2,63}$/;

/**
 * Codes are typed by people: matched without regard to case (stored upper-case), 3 to 64
 * letters, digits, "_" or "-".
 */
export function normalizeCouponCode(code: string): string {
  return code.toUpperCase();
}

export function isCouponCode(code: string): boolean {
  return COUPON_CODE.test(normalizeCouponCode(code));
}

/** Checks a coupon's figures; returns it with its code normalised. */
export function assertCoupon(coupon: CouponDefinition): CouponDefinition {
  const code = normalizeCouponCode(coupon.code);
  if (!COUPON_CODE.test(code))
    throw new InvalidCouponError('code must be 3 to 64 letters, digits, "_" or "-"');
  const { gift } = coupon;
  if (gift.kind === 'credit') {
    if (!gift.amount.greaterThan(0) || gift.amount.greaterThan(MAX_COUPON_CREDIT))
      throw new InvalidCouponError(
        `amount must be greater than 0 and at most ${MAX_COUPON_CREDIT.toFixed()}`,
      );
    if (gift.amount.decimalPlaces() > 12)
      throw new InvalidCouponError('amount has more than 12 decimals');
  } else {
    if (!gift.percent.greaterThan(0) || gift.percent.greaterThan(100))
      throw new InvalidCouponError('percent must be greater than 0 and at most 100');
    if (gift.percent.decimalPlaces() > 6)
      throw new InvalidCouponError('percent has more than 6 decimals');
    if (
      !Number.isInteger(gift.durationDays) ||
      gift.durationDays < 1 ||
      gift.durationDays > MAX_COUPON_DAYS
    )
      throw new InvalidCouponError(`duration_days must be an integer from 1 to ${MAX_COUPON_DAYS}`);
  }
  if (
    coupon.maxRedemptions !== null &&
    (!Number.isSafeInteger(coupon.maxRedemptions) ||
      coupon.maxRedemptions < 1 ||
      coupon.maxRedemptions > MAX_COUPON_REDEMPTIONS)
  )
    throw new InvalidCouponError(
      `max_redemptions must be an integer from 1 to ${MAX_COUPON_REDEMPTIONS}, or null for no limit`,
    );
  return { ...coupon, code };
}

/** What a redemption decides on, as it stands. */
export interface RedemptionFacts {
  /** The coupon with how often it has been redeemed; undefined for an unknown code. */
  readonly coupon?: Pick<CouponDefinition, 'expiresAt' | 'maxRedemptions'> & {
    readonly redemptions: number;
  };
  readonly redeemedByAccount: boolean;
  readonly now: Date;
}

/**
 * Why this account may not redeem the coupon now, or undefined when it may. The ledger claims
 * a redemption in one conditional statement with the same conditions; this names the one that
 * failed, checked in this order.
 */
export function redemptionRefusal(facts: RedemptionFacts): CouponRefusal | undefined {
  const { coupon } = facts;
  if (!coupon) return 'COUPON_NOT_FOUND';
  if (facts.redeemedByAccount) return 'COUPON_ALREADY_REDEEMED';
  if (coupon.expiresAt !== null && coupon.expiresAt.getTime() <= facts.now.getTime())
    return 'COUPON_EXPIRED';
  if (coupon.maxRedemptions !== null && coupon.redemptions >= coupon.maxRedemptions)
    return 'COUPON_EXHAUSTED';
  return undefined;
}

const DAY_MS = 86_400_000;

/** The end of a percent coupon's discount: its days, counted from the redemption. */
export function discountEndsAt(redeemedAt: Date, durationDays: number): Date {
  return new Date(redeemedAt.getTime() + durationDays * DAY_MS);
}

/**
 * The percent discount in force at `at`: percent coupons do not add up with one another, the
 * largest in force applies (ADR 0043). 0 when none is.
 */
export function couponPercentInForce(
  discounts: ReadonlyArray<{ readonly percent: Decimal; readonly endsAt: Date }>,
  at: Date,
): Decimal {
  let largest = new Decimal(0);
  for (const discount of discounts)
    if (discount.endsAt.getTime() > at.getTime() && discount.percent.greaterThan(largest))
      largest = discount.percent;
  return largest;
}
