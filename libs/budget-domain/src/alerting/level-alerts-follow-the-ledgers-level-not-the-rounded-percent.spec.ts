import { balanceConditions, standingOf } from './alert-conditions';
import { balance } from './alerting.fixtures';

const levels = (record: ReturnType<typeof balance>) =>
  balanceConditions(record)
    .filter((condition) => condition.kind === 'threshold')
    .map((condition) => condition.level);

describe('level alerts follow the ledger’s level, not the rounded available_percent', () => {
  it('99.6 % spent is RED (0.40 of 100 left): available_percent rounds to 0, yet CRITICAL is not reached', () => {
    const record = balance({
      used: '99.600000',
      remaining: '0.400000',
      available: '0.400000',
      available_percent: 0,
      alert_level: 'RED',
    });
    expect(levels(record)).toEqual(['YELLOW', 'ORANGE', 'RED']);
    expect(standingOf(record).level).toBe('RED');
  });

  it('49.5 % spent is GREEN: available_percent 50.5 rounds half-even to 50, yet YELLOW is not reached', () => {
    const record = balance({
      used: '49.500000',
      remaining: '50.500000',
      available: '50.500000',
      available_percent: 50,
      alert_level: 'GREEN',
    });
    expect(levels(record)).toEqual([]);
    expect(standingOf(record).level).toBe('GREEN');
  });
});
