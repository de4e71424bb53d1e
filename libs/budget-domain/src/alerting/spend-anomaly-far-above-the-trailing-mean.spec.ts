import { Decimal } from 'decimal.js';
import { anomalyCondition, anomalyHolds, assessHourlySpend, hourOf } from './spend-anomaly';
import type { HourlySpend } from './spend-anomaly';

const H = (hour: number) => new Date(Date.UTC(2026, 10, 20, hour));
const steady = (from: number, to: number, cost: string): HourlySpend[] =>
  Array.from({ length: to - from }, (_, i) => ({ hour: H(from + i), cost: new Decimal(cost) }));

describe('spend anomaly: an hour far above the trailing mean', () => {
  it('an hour above 5x the trailing 24-hour mean, and at least 1.00, is an anomaly', () => {
    const history = steady(0, 24, '0.50');
    const normal = assessHourlySpend(
      H(24),
      [...history, { hour: H(24), cost: new Decimal('2.50') }],
      H(0),
    );
    expect(normal).toMatchObject({ anomalous: false, historyHours: 24 });
    expect(normal.mean.toString()).toBe('0.5');
    const spike = assessHourlySpend(
      H(24),
      [...history, { hour: H(24), cost: new Decimal('2.51') }],
      H(0),
    );
    expect(spike.anomalous).toBe(true);
    expect(spike.spend.toString()).toBe('2.51');
  });

  it('quiet hours count as zero in the mean, hours outside the window not at all', () => {
    const rollups = [
      { hour: H(0), cost: new Decimal('1000') }, // 25 hours before: outside the window
      { hour: H(13), cost: new Decimal('12') },
      { hour: H(25), cost: new Decimal('2.6') },
    ];
    const assessment = assessHourlySpend(H(25), rollups, H(0));
    expect(assessment.mean.toString()).toBe('0.5');
    expect(assessment.anomalous).toBe(true);
  });

  it('small spend is never an anomaly, however quiet the account was', () => {
    const assessment = assessHourlySpend(H(24), [{ hour: H(24), cost: new Decimal('0.99') }], H(0));
    expect(assessment).toMatchObject({ anomalous: false });
    expect(assessment.mean.isZero()).toBe(true);
  });

  it('a new account is judged after 6 hours of history, over the hours it has', () => {
    const rollups = [
      { hour: H(10), cost: new Decimal('1') },
      { hour: H(15), cost: new Decimal('20') },
    ];
    expect(assessHourlySpend(H(15), rollups, H(10))).toMatchObject({
      historyHours: 5,
      anomalous: false,
    });
    const later = assessHourlySpend(
      H(16),
      [...rollups.slice(0, 1), { hour: H(16), cost: new Decimal('20') }],
      H(10),
    );
    expect(later).toMatchObject({ historyHours: 6, anomalous: true });
    expect(later.mean.toFixed(6)).toBe('0.166667');
  });

  it('holds until a later hour is seen that is not anomalous', () => {
    const calm = assessHourlySpend(H(24), steady(0, 25, '0.5'), H(0));
    expect(calm.anomalous).toBe(false);
    expect(anomalyHolds(calm, null)).toBe(false);
    expect(anomalyHolds(calm, new Date(H(24).getTime() + 600_000))).toBe(true);
    expect(anomalyHolds(calm, H(23))).toBe(false);
    expect(hourOf(new Date('2026-11-20T10:59:59.999Z')).toISOString()).toBe(
      '2026-11-20T10:00:00.000Z',
    );
  });

  it('says how far above the mean the hour is', () => {
    const spike = assessHourlySpend(
      H(24),
      [...steady(0, 24, '0.5'), { hour: H(24), cost: new Decimal('6') }],
      H(0),
    );
    expect(anomalyCondition('acct_1', spike, { level: 'YELLOW', percent: 55 })).toEqual({
      key: 'anomaly',
      kind: 'anomaly',
      level: 'YELLOW',
      percent: 55,
      amount: '6.000000',
      periodStart: '2026-11-21T00:00:00.000Z',
      message:
        'acct_1: 6.00 USD spent in the hour from 2026-11-21T00:00:00.000Z, 12x the trailing 24-hour mean of 0.50 USD',
    });
    const fromNothing = assessHourlySpend(H(24), [{ hour: H(24), cost: new Decimal('3') }], H(0));
    expect(anomalyCondition('acct_1', fromNothing, { level: 'GREEN', percent: 0 }).message).toBe(
      'acct_1: 3.00 USD spent in the hour from 2026-11-21T00:00:00.000Z, with no spend in the trailing 24-hour mean of 0.00 USD',
    );
  });
});
