import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { FREE_PLAN, isFreeModel } from './plan';
import type { Plan } from './plan';
import { chargeUsage } from './plan-charge';

const d = (value: string) => new Decimal(value);
/** The checks' own arithmetic must not round at Decimal's default 20 digits. */
const Exact = Decimal.clone({ precision: 100 });
const exact = (value: Decimal) => new Exact(value.toFixed());
const reseller: Plan = {
  ...FREE_PLAN,
  name: 'reseller',
  markupPercentPaid: d('10'),
  markupPercentFree: d('0'),
};
const charge = (plan: Plan, cost: string, freeModel: boolean, couponPercent = '0') => {
  const charged = chargeUsage(
    { cost: d(cost), tokens: 1500, freeModel },
    { plan, couponPercent: d(couponPercent) },
    0,
  );
  return {
    markup: charged.markup.toFixed(),
    discount: charged.discount.toFixed(),
    charged: charged.charged.toFixed(),
  };
};

describe('a plan marks paid models up by its paid percent and free models by its free percent', () => {
  it('the free plan charges provider cost, exactly', () => {
    expect(charge(FREE_PLAN, '0.000450', false)).toEqual({
      markup: '0',
      discount: '0',
      charged: '0.00045',
    });
  });

  it('a reseller plan adds 10 % to a paid model and nothing to a free one', () => {
    expect(charge(reseller, '0.002', false)).toEqual({
      markup: '0.0002',
      discount: '0',
      charged: '0.0022',
    });
    expect(charge(reseller, '0', true)).toEqual({ markup: '0', discount: '0', charged: '0' });
  });

  it('a free model with an internal price takes the free percent, not the paid one', () => {
    const chargeBack = { ...reseller, markupPercentFree: d('5') };
    expect(charge(chargeBack, '0.5', true)).toEqual({
      markup: '0.025',
      discount: '0',
      charged: '0.525',
    });
    expect(charge(reseller, '0.5', true).charged).toBe('0.5');
  });

  it('rounds the markup half-even at 12 decimals, once', () => {
    // 0.000000000015 × 10 % = 0.0000000000015: half-even to 0.000000000002.
    expect(charge(reseller, '0.000000000015', false)).toEqual({
      markup: '0.000000000002',
      discount: '0',
      charged: '0.000000000017',
    });
    // 0.000000000025 × 10 % = 0.0000000000025: half-even to 0.000000000002.
    expect(charge(reseller, '0.000000000025', false).markup).toBe('0.000000000002');
  });

  it('keeps every digit of a large amount (no 20-digit rounding)', () => {
    expect(charge(reseller, '12345678901234.123456789012', false)).toEqual({
      markup: '1234567890123.412345678901',
      discount: '0',
      charged: '13580246791357.535802467913',
    });
  });

  it('names self-hosted models and OpenRouter free variants free', () => {
    expect(isFreeModel('local', 'ollama/llama3')).toBe(true);
    expect(isFreeModel('openrouter', 'meta-llama/llama-3-8b-instruct:free')).toBe(true);
    expect(isFreeModel('openai', 'gpt-4o-mini')).toBe(false);
  });

  it('property: charged = cost + markup − discount, exactly, with 12 decimals at most', () => {
    const amount = fc
      .bigInt({ min: 0n, max: 10n ** 20n })
      .map((units) => new Decimal(units.toString()).dividedBy(1e12));
    const percent = fc
      .integer({ min: 0, max: 100_000_000 })
      .map((units) => new Decimal(units).dividedBy(1e6));
    fc.assert(
      fc.property(amount, percent, percent, fc.boolean(), (cost, paid, free, freeModel) => {
        const plan = { ...FREE_PLAN, markupPercentPaid: paid, markupPercentFree: free };
        const result = chargeUsage(
          { cost, tokens: 10, freeModel },
          { plan, couponPercent: d('0') },
          0,
        );
        expect(
          exact(result.charged).equals(
            exact(cost).plus(exact(result.markup)).minus(exact(result.discount)),
          ),
        ).toBe(true);
        expect(result.markup.decimalPlaces()).toBeLessThanOrEqual(12);
        const exactMarkup = exact(cost)
          .times(exact(freeModel ? free : paid))
          .dividedBy(100);
        expect(exact(result.markup).minus(exactMarkup).abs().lessThanOrEqualTo('5e-13')).toBe(true);
      }),
    );
  });

  it('refuses a negative cost and a fractional token count', () => {
    const terms = { plan: reseller, couponPercent: d('0') };
    expect(() => chargeUsage({ cost: d('-1'), tokens: 1, freeModel: false }, terms, 0)).toThrow(
      RangeError,
    );
    expect(() => chargeUsage({ cost: d('1'), tokens: 1.5, freeModel: false }, terms, 0)).toThrow(
      RangeError,
    );
  });
});
