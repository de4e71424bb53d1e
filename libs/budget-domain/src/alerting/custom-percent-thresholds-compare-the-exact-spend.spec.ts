import { balanceConditions } from './alert-conditions';
import { balance } from './alerting.fixtures';
import { parseCustomThreshold } from './custom-threshold';

const fifty = [parseCustomThreshold({ percent: 50 })];
const custom = (record: ReturnType<typeof balance>) =>
  balanceConditions(record, fifty)
    .filter((condition) => condition.kind === 'custom_threshold')
    .map((condition) => `${condition.key} ${condition.percent} ${condition.message}`);

describe('a percent threshold compares the exact spend, not the rounded available_percent', () => {
  it('49.6 % spent (50.4 of 100 left, available_percent rounds to 50) has not reached 50 %', () => {
    const record = balance({
      used: '49.600000',
      remaining: '50.400000',
      available: '50.400000',
      available_percent: 50,
      alert_level: 'GREEN',
    });
    expect(custom(record)).toEqual([]);
  });

  it('50 % spent exactly reaches 50 %', () => {
    const record = balance({
      used: '50.000000',
      remaining: '50.000000',
      available: '50.000000',
      available_percent: 50,
      alert_level: 'YELLOW',
    });
    expect(custom(record)).toEqual([
      "custom_threshold:percent:50@2026-11-01T00:00:00.000Z 50 acct_1: 50% spend threshold reached, 50% of the period's funds spent",
    ]);
  });

  it('prepaid credit counts with the remaining allowance: 30 left + 20.4 credit of 100 is 49.6 % spent', () => {
    const record = balance({
      used: '70.000000',
      remaining: '30.000000',
      extra_credit_remaining: '20.400000',
      available: '50.400000',
      available_percent: 50,
      alert_level: 'GREEN',
    });
    expect(custom(record)).toEqual([]);
  });

  it('holds are not spend: 49.6 % spent with 10.4 of the 50.4 left held has not reached 50 %', () => {
    const record = balance({
      used: '49.600000',
      remaining: '50.400000',
      available: '40.000000',
      available_percent: 50,
      alert_level: 'GREEN',
    });
    expect(custom(record)).toEqual([]);
  });

  it('without an allowance the record has no base to divide by, so the rounded percent decides', () => {
    // The base is the credit given (DESIGN 4), which the record does not carry.
    const record = balance({
      allowance: '0.000000',
      used: '4.960000',
      remaining: '0.000000',
      extra_credit_remaining: '5.040000',
      available: '5.040000',
      available_percent: 50,
      alert_level: 'GREEN',
    });
    expect(custom(record)).toEqual([
      "custom_threshold:percent:50@2026-11-01T00:00:00.000Z 50 acct_1: 50% spend threshold reached, 50% of the period's funds spent",
    ]);
  });
});
