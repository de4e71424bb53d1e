import { Decimal } from 'decimal.js';
import { openingState } from '../budget/period-reset';
import { FREE_PLAN, InvalidPlanError, assertPlan, includedAllowanceBudget } from './plan';
import type { Plan } from './plan';

const d = (value: string) => new Decimal(value);
const enterprise: Plan = {
  name: 'enterprise',
  markupPercentPaid: d('0'),
  markupPercentFree: d('0'),
  volumeTiers: [
    { fromTokens: 5_000_000, percent: d('30') },
    { fromTokens: 1_000_000, percent: d('20') },
  ],
  includedAllowance: d('100'),
  monthlyCap: d('5000'),
};

describe('a plan definition is checked before it is stored', () => {
  it('accepts the free plan and sorts tiers by their first token', () => {
    expect(assertPlan(FREE_PLAN)).toEqual(FREE_PLAN);
    expect(assertPlan(enterprise).volumeTiers.map((tier) => tier.fromTokens)).toEqual([
      1_000_000, 5_000_000,
    ]);
  });

  it.each<[string, Partial<Plan>]>([
    ['an upper-case name', { name: 'Enterprise' }],
    ['an empty name', { name: '' }],
    ['a negative markup', { markupPercentPaid: d('-1') }],
    ['a markup above 1000 %', { markupPercentFree: d('1000.5') }],
    ['a markup with 7 decimals', { markupPercentPaid: d('1.1234567') }],
    ['a discount above 100 %', { volumeTiers: [{ fromTokens: 1, percent: d('101') }] }],
    ['a fractional first token', { volumeTiers: [{ fromTokens: 1.5, percent: d('1') }] }],
    ['a negative first token', { volumeTiers: [{ fromTokens: -1, percent: d('1') }] }],
    [
      'two tiers at one token',
      {
        volumeTiers: [
          { fromTokens: 10, percent: d('1') },
          { fromTokens: 10, percent: d('2') },
        ],
      },
    ],
    [
      'too many tiers',
      { volumeTiers: Array.from({ length: 21 }, (_, i) => ({ fromTokens: i, percent: d('1') })) },
    ],
    ['a zero allowance', { includedAllowance: d('0') }],
    // It becomes a budget's limit, at most 10^12 (ADR 0097).
    ['an allowance above 10^12', { includedAllowance: d('1000000000000.000000000001') }],
    ['a negative cap', { monthlyCap: d('-5') }],
  ])('refuses %s', (_, change) => {
    expect(() => assertPlan({ ...enterprise, ...change })).toThrow(InvalidPlanError);
  });

  it('an included allowance becomes a calendar-month budget, in full from the month it is given', () => {
    const budget = includedAllowanceBudget(d('100'), new Date('2026-11-20T08:00:00Z'));
    const state = openingState(budget);
    expect(state.allowance.toFixed()).toBe('100');
    expect([state.period.start?.toISOString(), state.period.end?.toISOString()]).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ]);
    expect(budget).toMatchObject({ hardLimit: true, prorate: false });
  });
});
