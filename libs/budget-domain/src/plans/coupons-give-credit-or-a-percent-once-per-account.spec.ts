import { Decimal } from 'decimal.js';
import { FREE_PLAN } from './plan';
import { chargeUsage } from './plan-charge';
import {
  InvalidCouponError,
  assertCoupon,
  couponPercentInForce,
  discountEndsAt,
  isCouponCode,
  redemptionRefusal,
} from './coupon';
import type { CouponDefinition } from './coupon';

const d = (value: string) => new Decimal(value);
const now = new Date('2026-11-15T12:00:00Z');
const welcome: CouponDefinition = {
  code: 'welcome-10',
  gift: { kind: 'credit', amount: d('10') },
  expiresAt: new Date('2026-12-01T00:00:00Z'),
  maxRedemptions: 10,
};
const spring: CouponDefinition = {
  code: 'SPRING',
  gift: { kind: 'percent', percent: d('15'), durationDays: 30 },
  expiresAt: null,
  maxRedemptions: null,
};

describe('coupons give a fixed credit or a percent off for some days, once per account', () => {
  it('codes are matched without regard to case', () => {
    expect(assertCoupon(welcome).code).toBe('WELCOME-10');
    expect(isCouponCode('welcome-10')).toBe(true);
    expect(isCouponCode('a b')).toBe(false);
  });

  it('refuses figures that make no coupon', () => {
    const bad: CouponDefinition[] = [
      { ...welcome, code: 'x' },
      { ...welcome, gift: { kind: 'credit', amount: d('0') } },
      { ...welcome, gift: { kind: 'credit', amount: d('1000000.01') } },
      { ...welcome, gift: { kind: 'credit', amount: d('0.0000000000001') } },
      { ...spring, gift: { kind: 'percent', percent: d('0'), durationDays: 30 } },
      { ...spring, gift: { kind: 'percent', percent: d('100.5'), durationDays: 30 } },
      { ...spring, gift: { kind: 'percent', percent: d('10.1234567'), durationDays: 30 } },
      { ...spring, gift: { kind: 'percent', percent: d('10'), durationDays: 0 } },
      { ...spring, gift: { kind: 'percent', percent: d('10'), durationDays: 1.5 } },
      { ...welcome, maxRedemptions: 0 },
    ];
    for (const coupon of bad) expect(() => assertCoupon(coupon)).toThrow(InvalidCouponError);
    expect(assertCoupon(spring)).toEqual(spring);
  });

  it('names why a redemption is refused: unknown, already redeemed, expired, exhausted', () => {
    const facts = { coupon: { ...welcome, redemptions: 3 }, redeemedByAccount: false, now };
    expect(redemptionRefusal(facts)).toBeUndefined();
    expect(redemptionRefusal({ redeemedByAccount: false, now })).toBe('COUPON_NOT_FOUND');
    expect(redemptionRefusal({ ...facts, redeemedByAccount: true })).toBe(
      'COUPON_ALREADY_REDEEMED',
    );
    expect(redemptionRefusal({ ...facts, now: new Date('2026-12-01T00:00:00Z') })).toBe(
      'COUPON_EXPIRED',
    );
    expect(redemptionRefusal({ ...facts, coupon: { ...welcome, redemptions: 10 } })).toBe(
      'COUPON_EXHAUSTED',
    );
    expect(
      redemptionRefusal({ ...facts, coupon: { ...spring, redemptions: 1_000_000 } }),
    ).toBeUndefined();
  });

  it('a percent coupon lasts its days from the redemption; the largest in force applies', () => {
    const endsAt = discountEndsAt(now, 30);
    expect(endsAt.toISOString()).toBe('2026-12-15T12:00:00.000Z');
    const discounts = [
      { percent: d('15'), endsAt },
      { percent: d('25'), endsAt: new Date('2026-11-20T00:00:00Z') },
    ];
    expect(couponPercentInForce(discounts, now).toFixed()).toBe('25');
    expect(couponPercentInForce(discounts, new Date('2026-11-20T00:00:00Z')).toFixed()).toBe('15');
    expect(couponPercentInForce(discounts, endsAt).toFixed()).toBe('0');
  });

  it('a percent coupon takes its percent of what the volume discount leaves (20 % then 10 % = 28 %)', () => {
    const plan = { ...FREE_PLAN, volumeTiers: [{ fromTokens: 0, percent: d('20') }] };
    const result = chargeUsage(
      { cost: d('1.00'), tokens: 100, freeModel: false },
      { plan, couponPercent: d('10') },
      0,
    );
    expect([result.discount.toFixed(), result.charged.toFixed()]).toEqual(['0.28', '0.72']);
  });

  it('a fixed coupon changes no price: its credit is posted once, a percent one discounts usage', () => {
    const result = chargeUsage(
      { cost: d('0.333333333333'), tokens: 7, freeModel: false },
      { plan: FREE_PLAN, couponPercent: d('15') },
      0,
    );
    // 0.333333333333 × 15 % = 0.04999999999995 → half-even 0.05
    expect([result.discount.toFixed(), result.charged.toFixed()]).toEqual([
      '0.05',
      '0.283333333333',
    ]);
  });
});
