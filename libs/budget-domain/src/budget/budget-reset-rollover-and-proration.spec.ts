import { Decimal } from 'decimal.js';
import { InvalidBudgetError, assertBudget, budgetValidity } from './budget-definition';
import type { BudgetDefinition } from './budget-definition';
import { budgetDefinition } from './budget.fixtures';
import { openingState, proratedLimit, rollToPeriod } from './period-reset';
import { periodAt } from './budget-period';

const d = (value: string) => new Decimal(value);
const budget = budgetDefinition;

describe('period resets', () => {
  it('reset on the reset day happens once: a second roll in the same period is a no-op', () => {
    const definition = budget();
    const start = { ...openingState(definition), allowanceRemaining: d('40'), used: d('60') };
    const first = rollToPeriod(definition, start, new Date('2026-12-01T00:00:00Z'));
    expect(first.resets).toHaveLength(1);
    expect(first.state).toMatchObject({
      allowance: d('100'),
      allowanceRemaining: d('100'),
      used: d('0'),
    });
    expect(first.resets[0]!.expired.toFixed()).toBe('40');
    const second = rollToPeriod(definition, first.state, new Date('2026-12-01T00:00:01Z'));
    expect(second.resets).toEqual([]);
    expect(second.state).toBe(first.state);
    const stale = rollToPeriod(definition, first.state, new Date('2026-11-30T23:59:59Z'));
    expect(stale.resets).toEqual([]);
  });

  it('budget-rollover-capped-at-max-percent: 40 unused of 100 with a 25 % cap carries 25 and expires 15', () => {
    const definition = budget({ rolloverMaxPercent: d('25') });
    const state = { ...openingState(definition), allowanceRemaining: d('40'), used: d('60') };
    const { state: next, resets } = rollToPeriod(
      definition,
      state,
      new Date('2026-12-10T00:00:00Z'),
    );
    expect(
      resets.map((r) => [r.rolledOver.toFixed(), r.expired.toFixed(), r.allowance.toFixed()]),
    ).toEqual([['25', '15', '125']]);
    expect(next.allowanceRemaining.toFixed()).toBe('125');
    expect(next.rolledOver.toFixed()).toBe('25');
  });

  it('carries over amounts of 12 decimals: half of 10.000000000001 is rounded half-even, what expires is the rest', () => {
    const definition = budget({ limit: d('10.000000000001'), rolloverMaxPercent: d('50') });
    const { state: next, resets } = rollToPeriod(
      definition,
      openingState(definition),
      new Date('2026-12-01T00:00:00Z'),
    );
    expect(
      resets.map((r) => [r.rolledOver.toFixed(), r.expired.toFixed(), r.allowance.toFixed()]),
    ).toEqual([['5', '5.000000000001', '15.000000000001']]);
    expect(next.allowanceRemaining.toFixed()).toBe('15.000000000001');
  });

  it('catches up missed resets one period at a time', () => {
    const definition = budget({ rolloverMaxPercent: d('10') });
    const state = { ...openingState(definition), allowanceRemaining: d('5') };
    const { state: next, resets } = rollToPeriod(
      definition,
      state,
      new Date('2027-02-14T00:00:00Z'),
    );
    expect(resets.map((r) => r.to.start!.toISOString().slice(0, 10))).toEqual([
      '2026-12-01',
      '2027-01-01',
      '2027-02-01',
    ]);
    expect(resets.map((r) => r.rolledOver.toFixed())).toEqual(['5', '10', '10']);
    expect(resets.map((r) => r.expired.toFixed())).toEqual(['0', '95', '100']);
    expect(next.period.start!.toISOString()).toBe('2027-02-01T00:00:00.000Z');
    expect(next.allowance.toFixed()).toBe('110');
  });

  it('a budget past its expiry and grace is deactivated: periods starting after that get no allowance and carry nothing over', () => {
    // Expires Dec 20, 48 h of grace: the December period still started while it was valid.
    const definition = budget({
      rolloverMaxPercent: d('10'),
      expiresAt: new Date('2026-12-20T00:00:00Z'),
      gracePeriodHours: 48,
    });
    const state = { ...openingState(definition), allowanceRemaining: d('30') };
    const { state: next, resets } = rollToPeriod(
      definition,
      state,
      new Date('2027-02-03T00:00:00Z'),
    );
    expect(
      resets.map((r) => [
        r.to.start!.toISOString().slice(0, 10),
        r.rolledOver.toFixed(),
        r.expired.toFixed(),
        r.allowance.toFixed(),
      ]),
    ).toEqual([
      ['2026-12-01', '10', '20', '110'],
      ['2027-01-01', '0', '110', '0'],
      ['2027-02-01', '0', '0', '0'],
    ]);
    expect(next.allowanceRemaining.toFixed()).toBe('0');
  });

  it('a budget without periods never resets', () => {
    const definition = budget({ period: 'none', resetDay: undefined });
    const state = openingState(definition);
    expect(rollToPeriod(definition, state, new Date('2030-01-01T00:00:00Z')).resets).toEqual([]);
  });

  it('budget-prorated-when-created-mid-period: created on Nov 21 with 10 of 30 days left gets a third', () => {
    const definition = budget({ prorate: true, createdAt: new Date('2026-11-21T00:00:00Z') });
    expect(openingState(definition).allowance.toFixed()).toBe('33.333333333333');
    const midday = proratedLimit(
      definition,
      periodAt(definition, new Date('2026-11-21T12:00:00Z')),
      new Date('2026-11-21T12:00:00Z'),
    );
    expect(midday.toFixed()).toBe('33.333333333333');
    expect(
      openingState(budget({ createdAt: new Date('2026-11-21T00:00:00Z') })).allowance.toFixed(),
    ).toBe('100');
    expect(proratedLimit(definition, { start: null, end: null }, new Date()).toFixed()).toBe('100');
  });
});

describe('budget definitions', () => {
  it.each([
    [{ limit: d('-1') }, 'INVALID_LIMIT'],
    [{ overageLimit: d('-1') }, 'INVALID_LIMIT'],
    // Added to credit, a limit of 26 digits made figures no reader takes (ADR 0097).
    [{ limit: d('1000000000000.000000000001') }, 'INVALID_LIMIT'],
    [{ overageLimit: d('99999999999999999999999999') }, 'INVALID_LIMIT'],
    [{ softLimitPercent: d('101') }, 'INVALID_PERCENT'],
    [{ rolloverMaxPercent: d('-5') }, 'INVALID_PERCENT'],
    // The budget keeps percents at 4 decimals: 33.33333 would be acknowledged and applied as 33.3333.
    [{ rolloverMaxPercent: d('33.33333') }, 'INVALID_PERCENT'],
    [{ softLimitPercent: d('80.00001') }, 'INVALID_PERCENT'],
    [{ gracePeriodHours: -1 }, 'INVALID_GRACE'],
    [{ resetDay: 31 }, 'INVALID_PERIOD_RULE'],
  ] as Array<[Partial<BudgetDefinition>, string]>)('refuses %o with %s', (overrides, code) => {
    expect(() => assertBudget(budget(overrides))).toThrow(InvalidBudgetError);
    try {
      assertBudget(budget(overrides));
    } catch (error) {
      expect((error as InvalidBudgetError).code).toBe(code);
    }
  });

  it('accepts a sound budget', () => {
    expect(assertBudget(budget())).toEqual(budget());
  });

  it('accepts a limit and an overage limit of 10^12', () => {
    const largest = budget({ limit: d('1000000000000'), overageLimit: d('1000000000000') });
    expect(assertBudget(largest)).toEqual(largest);
  });

  it('budget-expiry-with-grace: active until expires_at, in grace for grace_period_hours, then expired', () => {
    const definition = budget({
      expiresAt: new Date('2026-11-30T00:00:00Z'),
      gracePeriodHours: 48,
    });
    expect(budgetValidity(definition, new Date('2026-11-29T23:59:59Z'))).toBe('active');
    expect(budgetValidity(definition, new Date('2026-11-30T00:00:00Z'))).toBe('in_grace');
    expect(budgetValidity(definition, new Date('2026-12-01T23:59:59Z'))).toBe('in_grace');
    expect(budgetValidity(definition, new Date('2026-12-02T00:00:00Z'))).toBe('expired');
    expect(budgetValidity(budget({ active: false }), new Date())).toBe('inactive');
    expect(budgetValidity(budget(), new Date('2099-01-01T00:00:00Z'))).toBe('active');
  });
});
