import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { ENTERPRISE_VOLUME_TIERS } from '../rating/rate-usage';
import { FREE_PLAN } from './plan';
import type { Plan } from './plan';
import { calendarMonthOf, chargeUsage, volumePercentOf } from './plan-charge';

const d = (value: string) => new Decimal(value);
const Exact = Decimal.clone({ precision: 100 });
const exact = (value: Decimal) => new Exact(value.toFixed());
const enterprise: Plan = { ...FREE_PLAN, name: 'enterprise', volumeTiers: ENTERPRISE_VOLUME_TIERS };
const charge = (plan: Plan, cost: string, tokens: number, tokensBefore: number) => {
  const result = chargeUsage(
    { cost: d(cost), tokens, freeModel: false },
    { plan, couponPercent: d('0') },
    tokensBefore,
  );
  return { discount: result.discount.toFixed(), charged: result.charged.toFixed() };
};

describe('volume discount tiers apply per token of the month, an event split at a boundary', () => {
  it('enterprise: no discount up to the 1,000,000th token, 20 % from the next one on', () => {
    expect(charge(enterprise, '0.003', 1500, 998_500)).toEqual({
      discount: '0',
      charged: '0.003',
    });
    expect(charge(enterprise, '0.003', 1500, 1_000_000)).toEqual({
      discount: '0.0006',
      charged: '0.0024',
    });
  });

  it('an event across the boundary: 1,000 tokens before it at 0 %, 500 after it at 20 %', () => {
    // 0.003 × (1000 × 0 + 500 × 20) / 1500 / 100 = 0.0002
    expect(charge(enterprise, '0.003', 1500, 999_000)).toEqual({
      discount: '0.0002',
      charged: '0.0028',
    });
  });

  it('a split that does not divide evenly is rounded once, half-even at 12 decimals', () => {
    // 1 token before, 2 after: 0.001 × 40/3 % = 0.000133333333333…
    expect(charge(enterprise, '0.001', 3, 999_999)).toEqual({
      discount: '0.000133333333',
      charged: '0.000866666667',
    });
  });

  it('a split whose exact discount is a half at the 12th decimal rounds to even: 0, not 1e-12', () => {
    // 1 token at 0 %, 2 at 25 %: 0.000000000003 × (50/3) % = 0.0000000000005 exactly. Dividing
    // by 3 first left 16.66…67 %, a hair above the half, which rounded up.
    const quarter = { ...FREE_PLAN, volumeTiers: [{ fromTokens: 1, percent: d('25') }] };
    expect(charge(quarter, '0.000000000003', 3, 0)).toEqual({
      discount: '0',
      charged: '0.000000000003',
    });
  });

  it('an event crossing two tiers gets each part at its own percent', () => {
    const tiers = {
      ...FREE_PLAN,
      volumeTiers: [
        { fromTokens: 100, percent: d('10') },
        { fromTokens: 200, percent: d('30') },
      ],
    };
    // tokens 50..249: 50 at 0 %, 100 at 10 %, 50 at 30 % → 2500 / 200 = 12.5 %
    expect(volumePercentOf(tiers.volumeTiers, 50, 200).toFixed()).toBe('12.5');
    expect(charge(tiers, '8', 200, 50)).toEqual({ discount: '1', charged: '7' });
  });

  it('an event without tokens (an image) gets the tier the month has reached', () => {
    expect(charge(enterprise, '0.04', 0, 999_999)).toEqual({ discount: '0', charged: '0.04' });
    expect(charge(enterprise, '0.04', 0, 1_000_000)).toEqual({
      discount: '0.008',
      charged: '0.032',
    });
  });

  it('the discount applies to cost plus markup', () => {
    const marked = { ...enterprise, markupPercentPaid: d('10') };
    const result = chargeUsage(
      { cost: d('1'), tokens: 10, freeModel: false },
      { plan: marked, couponPercent: d('0') },
      2_000_000,
    );
    expect([result.markup, result.discount, result.charged].map((x) => x.toFixed())).toEqual([
      '0.1',
      '0.22',
      '0.88',
    ]);
  });

  it('tiers given out of order mean the same', () => {
    const tiers = [
      { fromTokens: 200, percent: d('30') },
      { fromTokens: 100, percent: d('10') },
    ];
    expect(volumePercentOf(tiers, 50, 200).toFixed()).toBe('12.5');
    expect(volumePercentOf(tiers, 250, 0).toFixed()).toBe('30');
  });

  it('property: splitting an event into two leaves its tokens at the same percents', () => {
    const tiers = fc
      .uniqueArray(fc.integer({ min: 0, max: 5000 }), { minLength: 0, maxLength: 4 })
      .chain((starts) =>
        fc.tuple(
          ...starts.map((fromTokens) =>
            fc
              .integer({ min: 0, max: 100 })
              .map((percent) => ({ fromTokens, percent: d(String(percent)) })),
          ),
        ),
      );
    fc.assert(
      fc.property(
        tiers,
        fc.integer({ min: 0, max: 6000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 3000 }),
        (tierList, before, first, second) => {
          const whole = exact(volumePercentOf(tierList, before, first + second)).times(
            first + second,
          );
          const parts = exact(volumePercentOf(tierList, before, first))
            .times(first)
            .plus(exact(volumePercentOf(tierList, before + first, second)).times(second));
          expect(whole.minus(parts).abs().lessThan('1e-60')).toBe(true);
        },
      ),
    );
  });

  it('property: 0 <= discount <= cost + markup, and charged = cost + markup − discount exactly', () => {
    const amount = fc
      .bigInt({ min: 0n, max: 10n ** 18n })
      .map((units) => new Decimal(units.toString()).dividedBy(1e12));
    const percent = fc.integer({ min: 0, max: 100 }).map((p) => d(String(p)));
    fc.assert(
      fc.property(
        amount,
        percent,
        percent,
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (cost, tierPercent, couponPercent, before, tokens) => {
          const plan = {
            ...FREE_PLAN,
            markupPercentPaid: d('7.5'),
            volumeTiers: [{ fromTokens: 1_000_000, percent: tierPercent }],
          };
          const result = chargeUsage(
            { cost, tokens, freeModel: false },
            { plan, couponPercent },
            before,
          );
          const base = exact(cost).plus(exact(result.markup));
          expect(exact(result.charged).equals(base.minus(exact(result.discount)))).toBe(true);
          expect(result.discount.isNegative()).toBe(false);
          expect(exact(result.discount).lessThanOrEqualTo(base)).toBe(true);
          expect(result.discount.decimalPlaces()).toBeLessThanOrEqual(12);
        },
      ),
    );
  });

  it('months are calendar months in UTC', () => {
    expect(calendarMonthOf(new Date('2026-11-30T23:59:59.999Z')).toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
    expect(calendarMonthOf(new Date('2026-12-01T00:00:00Z')).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
  });
});
