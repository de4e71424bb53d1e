import { Decimal } from 'decimal.js';
import type { BudgetDefinition } from './budget-definition';
import { budgetDefinition } from './budget.fixtures';
import { openingState, restartPeriod, rollToPeriod, samePeriodRule } from './period-reset';

const d = (value: string) => new Decimal(value);
const monthly = budgetDefinition({
  rolloverMaxPercent: d('10'),
  createdAt: new Date('2027-01-01T00:00:00Z'),
});
const daily: BudgetDefinition = {
  ...monthly,
  period: 'daily',
  resetDay: undefined,
  limit: d('5'),
  rolloverMaxPercent: d('0'),
};
const at = (iso: string) => new Date(iso);

describe('a change of period rule', () => {
  // January's allowance of 100, 30 of it unused on the 20th.
  const january = { ...openingState(monthly), allowanceRemaining: d('30'), used: d('70') };

  it('monthly to daily on Jan 20 at 14:30: January ends then, 10 rolls over under the old cap, 20 expires; a short first day follows', () => {
    const { state, reset } = restartPeriod(monthly, daily, january, at('2027-01-20T14:30:00Z'));
    expect(reset.from).toEqual({
      start: at('2027-01-01T00:00:00Z'),
      end: at('2027-02-01T00:00:00Z'),
    });
    expect(reset.to).toEqual({
      start: at('2027-01-20T14:30:00Z'),
      end: at('2027-01-21T00:00:00Z'),
    });
    expect([
      reset.expired.toFixed(),
      reset.rolledOver.toFixed(),
      reset.allowance.toFixed(),
    ]).toEqual(['20', '10', '15']);
    expect(state).toMatchObject({ period: reset.to, used: d('0') });
    expect(state.allowanceRemaining.toFixed()).toBe('15');
  });

  it('then resets daily at midnight, once a day, and never steps back into January', () => {
    const { state } = restartPeriod(monthly, daily, january, at('2027-01-20T14:30:00Z'));
    expect(rollToPeriod(daily, state, at('2027-01-20T23:59:59Z')).resets).toEqual([]);
    const next = rollToPeriod(daily, state, at('2027-01-22T08:00:00Z'));
    expect(next.resets.map((reset) => reset.to.start)).toEqual([
      at('2027-01-21T00:00:00Z'),
      at('2027-01-22T00:00:00Z'),
    ]);
    expect(next.state.period).toEqual({
      start: at('2027-01-22T00:00:00Z'),
      end: at('2027-01-23T00:00:00Z'),
    });
    expect(next.state.allowance.toFixed()).toBe('5');
  });

  it('daily to monthly: the first month is cut short at the next reset day, then whole months follow', () => {
    const day = {
      ...openingState({ ...daily, createdAt: at('2027-01-20T00:00:00Z') }),
      allowanceRemaining: d('2'),
    };
    const { state, reset } = restartPeriod(daily, monthly, day, at('2027-01-20T09:00:00Z'));
    expect(reset.to).toEqual({
      start: at('2027-01-20T09:00:00Z'),
      end: at('2027-02-01T00:00:00Z'),
    });
    expect([
      reset.expired.toFixed(),
      reset.rolledOver.toFixed(),
      reset.allowance.toFixed(),
    ]).toEqual(['2', '0', '100']);
    const february = rollToPeriod(monthly, state, at('2027-02-03T00:00:00Z'));
    expect(february.resets.map((r) => r.to.start)).toEqual([at('2027-02-01T00:00:00Z')]);
  });

  it('a prorated new rule issues the share of the period left, by days', () => {
    const { reset } = restartPeriod(
      monthly,
      { ...monthly, resetDay: 15, prorate: true },
      january,
      at('2027-01-20T00:00:00Z'),
    );
    // Jan 15 – Feb 15 is 31 days, 26 of them left.
    expect(reset.to).toEqual({
      start: at('2027-01-20T00:00:00Z'),
      end: at('2027-02-15T00:00:00Z'),
    });
    expect(reset.allowance.toFixed()).toBe(
      d('100')
        .times(26)
        .dividedBy(31)
        .toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN)
        .plus('10')
        .toFixed(),
    );
  });

  it('to none: one open period from the change on; from none: periods from the change on', () => {
    const none: BudgetDefinition = { ...monthly, period: 'none', resetDay: undefined };
    const open = restartPeriod(monthly, none, january, at('2027-01-20T00:00:00Z'));
    expect(open.state.period).toEqual({ start: at('2027-01-20T00:00:00Z'), end: null });
    expect(rollToPeriod(none, open.state, at('2030-01-01T00:00:00Z')).resets).toEqual([]);
    const bounded = restartPeriod(none, monthly, openingState(none), at('2027-03-05T00:00:00Z'));
    expect(bounded.state.period).toEqual({
      start: at('2027-03-05T00:00:00Z'),
      end: at('2027-04-01T00:00:00Z'),
    });
  });

  it('a new rule on a budget past its expiry and grace issues nothing and expires what was left', () => {
    const expired: BudgetDefinition = { ...daily, expiresAt: at('2027-01-10T00:00:00Z') };
    const { reset } = restartPeriod(monthly, expired, january, at('2027-01-20T00:00:00Z'));
    expect([
      reset.expired.toFixed(),
      reset.rolledOver.toFixed(),
      reset.allowance.toFixed(),
    ]).toEqual(['30', '0', '0']);
  });

  it('samePeriodRule compares kind, reset day and anchor', () => {
    const cheaper: BudgetDefinition = { ...monthly, limit: d('1') };
    expect(samePeriodRule(monthly, cheaper)).toBe(true);
    expect(samePeriodRule(monthly, daily)).toBe(false);
    expect(samePeriodRule(monthly, { ...monthly, resetDay: 2 })).toBe(false);
    expect(
      samePeriodRule(
        { ...monthly, resetDay: undefined, anchorStart: at('2027-01-05T00:00:00Z') },
        { ...monthly, resetDay: undefined, anchorStart: at('2027-01-05T00:00:00Z') },
      ),
    ).toBe(true);
    expect(
      samePeriodRule(
        { ...monthly, resetDay: undefined, anchorStart: at('2027-01-05T00:00:00Z') },
        { ...monthly, resetDay: undefined, anchorStart: at('2027-01-06T00:00:00Z') },
      ),
    ).toBe(false);
  });
});
