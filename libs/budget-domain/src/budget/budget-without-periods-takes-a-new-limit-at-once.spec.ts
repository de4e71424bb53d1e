import { Decimal } from 'decimal.js';
import { budgetDefinition } from './budget.fixtures';
import { changeTerms, openingState } from './period-reset';
import type { PeriodState } from './period-reset';

const d = (value: string) => new Decimal(value);
const at = (iso: string) => new Date(iso);
const none = budgetDefinition({ period: 'none', resetDay: undefined, limit: d('10') });
/** 10 issued, 4 of it spent. */
const spent4: PeriodState = { ...openingState(none), allowanceRemaining: d('6'), used: d('4') };
const figures = ({ state, moved }: ReturnType<typeof changeTerms>) =>
  [state.allowance, state.allowanceRemaining, state.used, moved].map((value) => value.toFixed());

describe('a changed limit of a budget without periods', () => {
  const now = at('2027-02-02T00:00:00Z');

  it('raised from 10 to 15 with 4 spent: the allowance is 15, 11 remains, 5 is issued', () => {
    expect(figures(changeTerms(none, { ...none, limit: d('15') }, spent4, now))).toEqual([
      '15',
      '11',
      '4',
      '5',
    ]);
  });

  it('lowered from 10 to 3 with 4 spent: the allowance stays at the 4 spent, nothing remains, the 6 left is withdrawn', () => {
    expect(figures(changeTerms(none, { ...none, limit: d('3') }, spent4, now))).toEqual([
      '4',
      '0',
      '4',
      '-6',
    ]);
  });

  it('cut from 10 to 3 and raised back to 10 with 4 spent: 6 remains, as before the cut, not 7', () => {
    const cut = changeTerms(none, { ...none, limit: d('3') }, spent4, now);
    const raised = changeTerms({ ...none, limit: d('3') }, none, cut.state, now);
    expect(raised.state.allowanceRemaining.toFixed()).toBe('6');
    expect(raised.moved.toFixed()).toBe('6');
  });

  it('cut to 3 after all 10 were spent and raised back to 10: nothing is issued again', () => {
    const spentAll = { ...spent4, allowanceRemaining: d('0'), used: d('12') };
    const cut = changeTerms(none, { ...none, limit: d('3') }, spentAll, now);
    const raised = changeTerms({ ...none, limit: d('3') }, none, cut.state, now);
    expect(raised.state.allowanceRemaining.toFixed()).toBe('0');
    expect(raised.moved.toFixed()).toBe('0');
  });

  it('keeps what rolled in when the budget took the rule', () => {
    const rolledIn = {
      ...spent4,
      allowance: d('12'),
      allowanceRemaining: d('8'),
      rolledOver: d('2'),
    };
    expect(figures(changeTerms(none, { ...none, limit: d('15') }, rolledIn, now))).toEqual([
      '17',
      '13',
      '4',
      '5',
    ]);
  });

  it('moves nothing when the limit is the same, or the budget is past its expiry and grace', () => {
    const softer = { ...none, softLimitPercent: d('50') };
    expect(changeTerms(none, softer, spent4, now)).toEqual({ state: spent4, moved: d('0') });
    const expired = { ...none, limit: d('15'), expiresAt: at('2027-02-01T00:00:00Z') };
    expect(changeTerms(none, expired, spent4, now)).toEqual({ state: spent4, moved: d('0') });
  });
});

describe('a changed limit of a periodic budget', () => {
  it('waits for the next reset: the current period keeps its allowance', () => {
    const monthly = budgetDefinition();
    const state = openingState(monthly);
    const raised = { ...monthly, limit: d('150') };
    expect(changeTerms(monthly, raised, state, at('2026-11-10T00:00:00Z'))).toEqual({
      state,
      moved: d('0'),
    });
  });
});
