import { isTimestamp } from './wire';

describe('timestamps on the wire are ISO-8601 dates and times that exist', () => {
  it('takes what the services write, with or without fractions and offsets', () => {
    for (const accepted of [
      '2026-11-30T23:00:00.000Z',
      '2026-11-30T23:00:00Z',
      '2026-11-30T23:00:00.123456789+01:00',
      '2028-02-29T00:00:00Z',
      '2026-11-30T23:00:00+15:59',
      '2026-11-30T23:00:00-1559',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect([accepted, isTimestamp(accepted)]).toEqual([accepted, true]);
    }
  });

  it('refuses what Date.parse reads but PostgreSQL does not: a lone number, prose, a day or year that does not exist', () => {
    for (const refused of [
      '1',
      '30 November 2026 (note)',
      '2026-02-30T00:00:00Z',
      '2027-02-29T00:00:00Z',
      '0000-01-01T00:00:00Z',
    ]) {
      expect([refused, isTimestamp(refused)]).toEqual([refused, false]);
    }
  });

  it('refuses an offset PostgreSQL does not take (beyond ±15:59), which Date.parse reads', () => {
    for (const refused of [
      '2026-11-30T23:00:00+16:00',
      '2026-11-30T23:00:00-23:59',
      '2026-11-30T23:00:00+1600',
    ]) {
      expect([refused, isTimestamp(refused)]).toEqual([refused, false]);
    }
  });

  it('refuses an instant outside the years 1 to 9999 in UTC, which an offset can push a valid date to', () => {
    for (const refused of ['9999-12-31T23:59:59-14:00', '0001-01-01T00:00:00+14:00']) {
      expect([refused, isTimestamp(refused)]).toEqual([refused, false]);
    }
  });
});
