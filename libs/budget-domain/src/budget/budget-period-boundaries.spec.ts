import fc from 'fast-check';
import {
  InvalidPeriodRuleError,
  daysRemaining,
  nextPeriod,
  periodAt,
  periodDays,
} from './budget-period';
import type { PeriodRule } from './budget-period';

const iso = (date: Date | null) => date?.toISOString() ?? null;
const at = (rule: PeriodRule, instant: string) => {
  const period = periodAt(rule, new Date(instant));
  return [iso(period.start), iso(period.end)];
};

describe('budget periods at their boundaries', () => {
  const monthly15: PeriodRule = { period: 'monthly', resetDay: 15 };

  it('a monthly reset day: 23:59:59 is still the old period, 00:00:00 starts the new one', () => {
    expect(at(monthly15, '2026-11-14T23:59:59.999Z')).toEqual([
      '2026-10-15T00:00:00.000Z',
      '2026-11-15T00:00:00.000Z',
    ]);
    expect(at(monthly15, '2026-11-15T00:00:00.000Z')).toEqual([
      '2026-11-15T00:00:00.000Z',
      '2026-12-15T00:00:00.000Z',
    ]);
  });

  it('rolls from December into January', () => {
    expect(at(monthly15, '2026-12-31T23:59:59Z')).toEqual([
      '2026-12-15T00:00:00.000Z',
      '2027-01-15T00:00:00.000Z',
    ]);
    expect(at({ period: 'monthly', resetDay: 1 }, '2027-01-01T00:00:00Z')).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ]);
    expect(at({ period: 'monthly' }, '2026-12-31T23:59:59.999Z')).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('a subscription anchored on the 31st resets on the last day of shorter months, leap years included', () => {
    const anchored: PeriodRule = {
      period: 'monthly',
      anchorStart: new Date('2027-12-31T09:30:00Z'),
    };
    expect(at(anchored, '2028-02-15T00:00:00Z')).toEqual([
      '2028-01-31T09:30:00.000Z',
      '2028-02-29T09:30:00.000Z',
    ]);
    expect(at(anchored, '2028-02-29T09:30:00Z')).toEqual([
      '2028-02-29T09:30:00.000Z',
      '2028-03-31T09:30:00.000Z',
    ]);
    expect(at(anchored, '2029-02-28T09:29:59Z')).toEqual([
      '2029-01-31T09:30:00.000Z',
      '2029-02-28T09:30:00.000Z',
    ]);
    expect(at(anchored, '2027-06-01T00:00:00Z')).toEqual([
      '2027-05-31T09:30:00.000Z',
      '2027-06-30T09:30:00.000Z',
    ]);
  });

  it('weekly periods start on Monday 00:00 UTC, daily at midnight UTC', () => {
    expect(at({ period: 'weekly' }, '2026-11-22T23:59:59Z')).toEqual([
      '2026-11-16T00:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
    ]);
    expect(at({ period: 'weekly' }, '2026-11-23T00:00:00Z')).toEqual([
      '2026-11-23T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
    ]);
    expect(at({ period: 'daily' }, '2028-02-29T12:00:00Z')).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
    expect(at({ period: 'none' }, '2028-02-29T12:00:00Z')).toEqual([null, null]);
  });

  it('counts days remaining and period days', () => {
    const period = periodAt(monthly15, new Date('2026-11-20T12:00:00Z'));
    expect(periodDays(period)).toBe(30);
    expect(daysRemaining(period, new Date('2026-11-20T12:00:00Z'))).toBe(25);
    expect(daysRemaining(period, new Date('2026-12-15T00:00:00Z'))).toBe(0);
    expect(daysRemaining(periodAt({ period: 'none' }, new Date()), new Date())).toBeNull();
    expect(periodDays(periodAt({ period: 'none' }, new Date()))).toBeNull();
    expect(nextPeriod({ period: 'none' }, { start: null, end: null })).toEqual({
      start: null,
      end: null,
    });
  });

  it.each([
    [{ period: 'monthly', resetDay: 29 }, 'from 1 to 28'],
    [{ period: 'monthly', resetDay: 0 }, 'from 1 to 28'],
    [{ period: 'weekly', resetDay: 3 }, 'monthly budgets only'],
    [{ period: 'monthly', resetDay: 3, anchorStart: new Date() }, 'not both'],
  ] as Array<[PeriodRule, string]>)('refuses %o', (rule, message) => {
    expect(() => periodAt(rule, new Date())).toThrow(InvalidPeriodRuleError);
    expect(() => periodAt(rule, new Date())).toThrow(message);
  });

  it('property: the period of any instant contains it, and consecutive periods neither overlap nor leave gaps', () => {
    const rules = fc.oneof(
      fc
        .integer({ min: 1, max: 28 })
        .map((resetDay): PeriodRule => ({ period: 'monthly', resetDay })),
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
        .map((anchorStart): PeriodRule => ({ period: 'monthly', anchorStart })),
      fc.constant<PeriodRule>({ period: 'weekly' }),
      fc.constant<PeriodRule>({ period: 'daily' }),
    );
    fc.assert(
      fc.property(
        rules,
        fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        (rule, instant) => {
          const period = periodAt(rule, instant);
          expect(period.start!.getTime()).toBeLessThanOrEqual(instant.getTime());
          expect(period.end!.getTime()).toBeGreaterThan(instant.getTime());
          const next = nextPeriod(rule, period);
          expect(next.start!.getTime()).toBe(period.end!.getTime());
          expect(periodAt(rule, new Date(period.end!.getTime() - 1)).start!.getTime()).toBe(
            period.start!.getTime(),
          );
        },
      ),
    );
  });
});
