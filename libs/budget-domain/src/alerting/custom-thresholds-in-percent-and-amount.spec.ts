import { Decimal } from 'decimal.js';
import { balanceConditions } from './alert-conditions';
import { AlertBook, spent } from './alerting.fixtures';
import {
  InvalidThresholdError,
  customThresholdKey,
  parseCustomThreshold,
  presentCustomThreshold,
} from './custom-threshold';

const custom = (alerts: ReturnType<AlertBook['see']>) =>
  alerts
    .filter((alert) => alert.kind === 'custom_threshold')
    .map((alert) => `${alert.state} ${alert.amount ?? '-'} ${alert.percent} ${alert.message}`);

describe('custom thresholds in percent and in an absolute amount', () => {
  it('an absolute threshold of 25.00 spent fires once, with the threshold as its amount', () => {
    const book = new AlertBook();
    const thresholds = [parseCustomThreshold({ amount: '25.00' })];
    const fired = [10, 24, 25, 26, 40].flatMap((used) =>
      custom(book.see(balanceConditions(spent(used), thresholds))),
    );
    expect(fired).toEqual([
      'fired 25.000000 25 acct_1: spend threshold of 25.00 USD reached, 25.00 USD spent this period',
    ]);
  });

  it('a percent threshold fires at that spend percent and resolves when credit brings spend under it', () => {
    const book = new AlertBook();
    const thresholds = [parseCustomThreshold({ percent: 60 })];
    expect(custom(book.see(balanceConditions(spent(59), thresholds)))).toEqual([]);
    expect(custom(book.see(balanceConditions(spent(61), thresholds)))).toEqual([
      "fired - 61 acct_1: 60% spend threshold reached, 61% of the period's funds spent",
    ]);
    expect(
      custom(
        book.see(
          balanceConditions(
            spent(61, {
              extra_credit_remaining: '31.000000',
              available: '70.000000',
              available_percent: 70,
            }),
            thresholds,
          ),
        ),
      ),
    ).toEqual([
      "resolved - 61 Resolved: acct_1: 60% spend threshold reached, 61% of the period's funds spent",
    ]);
  });

  it('two channels naming the same threshold make one condition; a key’s balance has no custom thresholds', () => {
    const thresholds = [
      parseCustomThreshold({ amount: '25' }),
      parseCustomThreshold({ amount: '25.000' }),
      parseCustomThreshold({ percent: 10 }),
    ];
    expect(
      balanceConditions(spent(30), thresholds)
        .filter((condition) => condition.kind === 'custom_threshold')
        .map((condition) => condition.key),
    ).toEqual([
      'custom_threshold:amount:25.000000@2026-11-01T00:00:00.000Z',
      'custom_threshold:percent:10@2026-11-01T00:00:00.000Z',
    ]);
    expect(
      balanceConditions(spent(30, { api_key_id: 'key_1' }), thresholds).filter(
        (condition) => condition.kind === 'custom_threshold',
      ),
    ).toEqual([]);
  });

  it('is { percent } (a whole number 1–100) or { amount } (a decimal string above 0), never both or neither', () => {
    expect(presentCustomThreshold(parseCustomThreshold({ percent: 80 }))).toEqual({ percent: 80 });
    expect(presentCustomThreshold(parseCustomThreshold({ amount: '0.5' }))).toEqual({
      amount: '0.500000',
    });
    expect(customThresholdKey({ amount: new Decimal('1.123456789012') })).toBe(
      'amount:1.123456789012',
    );
    for (const raw of [
      null,
      'x',
      {},
      { percent: 50, amount: '1' },
      { percent: 0 },
      { percent: 101 },
      { percent: 50.5 },
      { percent: '50' },
      { amount: 25 },
      { amount: '0' },
      { amount: '-1' },
      { amount: '1e3' },
      { amount: '0.0000000000001' },
    ]) {
      expect(() => parseCustomThreshold(raw)).toThrow(InvalidThresholdError);
    }
  });
});
