import { couponTerms, monthlyCapTerms, planTerms } from './plan-commands';

describe('the plan and coupon command fields, shared by the ledger and admin', () => {
  it('take a plan with decimal-string or number percents and tiers in tokens', () => {
    expect(
      planTerms.parse({
        markup_percent_paid: '10',
        markup_percent_free: 0,
        volume_discount_tiers: [{ from_tokens: 1_000_000, percent: '20' }],
        included_allowance: '100.00',
        monthly_cap: null,
      }),
    ).toEqual({
      markup_percent_paid: '10',
      markup_percent_free: 0,
      volume_discount_tiers: [{ from_tokens: 1_000_000, percent: '20' }],
      included_allowance: '100.00',
      monthly_cap: null,
    });
  });

  it.each([
    ['an unknown field', { name: 'enterprise' }],
    ['a negative cap', { monthly_cap: '-1' }],
    ['an amount as a number', { included_allowance: 100 }],
    ['a percent that is not a number', { markup_percent_paid: 'ten' }],
    ['a fractional tier', { volume_discount_tiers: [{ from_tokens: 1.5, percent: '5' }] }],
  ])('refuse %s in a plan', (_what, terms) => {
    expect(planTerms.safeParse(terms).success).toBe(false);
  });

  it('take a credit coupon and refuse an unknown kind or an expiry without an offset', () => {
    expect(couponTerms.parse({ code: 'welcome10', kind: 'credit', amount: '10' })).toEqual({
      code: 'welcome10',
      kind: 'credit',
      amount: '10',
    });
    expect(couponTerms.safeParse({ code: 'x', kind: 'gift' }).success).toBe(false);
    expect(
      couponTerms.safeParse({ code: 'x', kind: 'percent', expires_at: '2026-12-31T00:00:00' })
        .success,
    ).toBe(false);
  });

  it.each(['', ' ', 'ten', '1,5', '１２', '0x10'])(
    'refuse a monthly cap of %j that is not a decimal string, without throwing',
    (cap) => {
      const parsed = monthlyCapTerms.safeParse({ monthly_cap: cap });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([
        expect.stringContaining('decimal string'),
      ]);
    },
  );
});
