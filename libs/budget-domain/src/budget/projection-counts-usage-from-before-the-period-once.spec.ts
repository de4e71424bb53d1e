import { Decimal } from 'decimal.js';
import { countingStartMs, projectedPeriodCost } from './projection';

const d = (value: string) => new Decimal(value);
const december = { start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') };

describe('a projection counts usage from before the period once', () => {
  it('late usage alone projects itself', () => {
    const at = new Date('2026-12-01T02:00:00Z');
    expect(projectedPeriodCost(december, d('9.5'), at, undefined, d('9.5')).toFixed()).toBe('9.5');
  });

  it("the period's own spending is the rate, late usage is added once", () => {
    const at = new Date('2026-12-01T02:00:00Z');
    // 0.2 in 2 of 744 hours: 74.4, plus 9.5.
    expect(projectedPeriodCost(december, d('9.7'), at, undefined, d('9.5')).toFixed()).toBe('83.9');
    expect(projectedPeriodCost(december, d('9.7'), at).toFixed()).toBe('3608.4');
  });

  it('within the first hour the projection is the spend, late or not', () => {
    const at = new Date('2026-12-01T00:30:00Z');
    expect(projectedPeriodCost(december, d('9.7'), at, undefined, d('9.5')).toFixed()).toBe('9.7');
  });

  it('a budget set mid-period counts from when it was set: its rate, and what came before it', () => {
    const setAt = new Date('2026-12-15T12:00:00Z');
    expect(countingStartMs(december, setAt)).toBe(setAt.getTime());
    // Set before the period (an earlier period's budget): the period's start.
    expect(countingStartMs(december, new Date('2026-11-20T00:00:00Z'))).toBe(
      december.start.getTime(),
    );
    expect(countingStartMs({ start: null, end: null }, setAt)).toBeNull();
    // 0.2 in the 2 of 396 hours since noon: 39.6, plus 9.5 from before noon.
    const at = new Date('2026-12-15T14:00:00Z');
    expect(projectedPeriodCost(december, d('9.7'), at, setAt, d('9.5')).toFixed()).toBe('49.1');
  });
});
