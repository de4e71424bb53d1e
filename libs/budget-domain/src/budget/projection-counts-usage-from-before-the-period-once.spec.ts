import { Decimal } from 'decimal.js';
import { projectedPeriodCost } from './projection';

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
});
