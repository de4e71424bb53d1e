import {
  dayEnd,
  dayOf,
  dayStart,
  dayWindow,
  formatDayLabel,
  formatInstant,
  lastDays,
  utcDay,
} from './dates';

describe('UTC days', () => {
  it('lists the last days oldest first, across a month end', () => {
    expect(lastDays(3, new Date('2026-12-01T23:30:00Z'))).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
    ]);
    expect(lastDays(30, new Date('2026-12-02T00:00:00Z'))).toHaveLength(30);
  });

  it('starts a window at the first instant of its first day', () => {
    expect(dayWindow(2, new Date('2026-12-01T08:00:00Z'))).toEqual({
      days: ['2026-11-30', '2026-12-01'],
      from: '2026-11-30T00:00:00.000Z',
    });
  });

  it('bounds a day for the API: from its first instant to the next day, exclusive', () => {
    expect(dayStart('2026-12-02')).toBe('2026-12-02T00:00:00.000Z');
    expect(dayEnd('2026-12-31')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('reads a day from a date or an instant, in UTC', () => {
    expect(dayOf('2026-12-02')).toBe('2026-12-02');
    expect(dayOf('2026-12-02T23:59:59.999Z')).toBe('2026-12-02');
    expect(dayOf('2026-12-02T23:30:00-02:00')).toBe('2026-12-03');
    expect(dayOf('yesterday')).toBeUndefined();
    expect(utcDay(new Date('2026-01-05T10:00:00Z'))).toBe('2026-01-05');
  });

  it('formats instants in UTC and leaves text that is not a date alone', () => {
    expect(formatInstant('2026-12-02T14:05:09.123Z')).toBe('2 Dec 2026, 14:05 UTC');
    expect(formatInstant('soon')).toBe('soon');
    expect(formatInstant(undefined)).toBe('—');
    expect(formatDayLabel('2026-12-02')).toBe('2 Dec');
  });
});
