import { Decimal } from 'decimal.js';
import type { PaymentEvent } from '../events/payment-event';
import { balanceConditions } from './alert-conditions';
import { spent } from './alerting.fixtures';
import { autoTopUpFailureConditions } from './auto-topup-alerts';
import { parseCustomThreshold } from './custom-threshold';
import { anomalyCondition, assessHourlySpend } from './spend-anomaly';

const standing = { level: 'RED', percent: 96 } as const;
const failedAutoTopUp = (paidAmount: string, paidCurrency: string): PaymentEvent => ({
  schema_version: 1,
  id: 'pay_1',
  account_id: 'acct_1',
  kind: 'credit_failed',
  trigger: 'auto',
  credit_amount: '0',
  paid_amount: paidAmount,
  paid_currency: paidCurrency,
  stripe_ref: 'pi_1',
  at: '2026-11-20T10:00:00.000Z',
});
const messagesOf = (kind: string, conditions: ReadonlyArray<{ kind: string; message: string }>) =>
  conditions.filter((condition) => condition.kind === kind).map((condition) => condition.message);

// An email or a Slack line is read alone: "12.50" could be any currency (DESIGN 4: amounts are
// presented at the currency's minor unit).
describe('alert messages name the currency of every amount, with its digits', () => {
  it('spend, limits and projections are in the books currency, USD', () => {
    const over = spent(100, { over_soft_limit: true, over_hard_limit: true });
    expect(messagesOf('soft_limit', balanceConditions(over))).toEqual([
      'acct_1: soft limit crossed, 100.00 USD of 100.00 USD used',
    ]);
    expect(messagesOf('hard_limit', balanceConditions(over))).toEqual([
      'acct_1: hard limit reached, 100.00 USD of 100.00 USD used; spending beyond it is refused',
    ]);
    expect(messagesOf('projected_overrun', balanceConditions(over))).toEqual([
      'acct_1: projected to spend about 100.14 USD this period, above the allowance of 100.00 USD',
    ]);
    expect(
      messagesOf(
        'custom_threshold',
        balanceConditions(spent(25.5), [parseCustomThreshold({ amount: '25' })]),
      ),
    ).toEqual(['acct_1: spend threshold of 25.00 USD reached, 25.50 USD spent this period']);
  });

  it('a fraction of a cent stays exact: rounding it to cents would say nothing was spent', () => {
    const tiny = spent(0, {
      used: '0.000450',
      over_soft_limit: true,
      allowance: '0.000400',
    });
    expect(messagesOf('soft_limit', balanceConditions(tiny))).toEqual([
      'acct_1: soft limit crossed, 0.00045 USD of 0.0004 USD used',
    ]);
  });

  it('an hour of anomalous spend and its mean are in USD', () => {
    const hour = (n: number) => new Date(Date.UTC(2026, 10, 20, n));
    const history = Array.from({ length: 24 }, (_, n) => ({
      hour: hour(n),
      cost: new Decimal('0.5'),
    }));
    const spike = assessHourlySpend(
      hour(24),
      [...history, { hour: hour(24), cost: new Decimal('6') }],
      hour(0),
    );
    expect(anomalyCondition('acct_1', spike, standing).message).toBe(
      'acct_1: 6.00 USD spent in the hour from 2026-11-21T00:00:00.000Z, 12x the trailing 24-hour mean of 0.50 USD',
    );
  });

  it('a failed auto top-up shows its paid amount with the paid currency’s own digits', () => {
    const message = (amount: string, currency: string) =>
      autoTopUpFailureConditions(failedAutoTopUp(amount, currency), standing)?.[0]?.message;
    expect(message('30.00', 'CHF')).toBe('acct_1: auto top-up of 30.00 CHF failed');
    expect(message('3000', 'JPY')).toBe('acct_1: auto top-up of 3000 JPY failed');
    expect(message('10.01', 'BHD')).toBe('acct_1: auto top-up of 10.010 BHD failed');
  });

  it('a currency Tally does not charge in still gets its digits, never an error: the record allows any code', () => {
    const message = (amount: string, currency: string) =>
      autoTopUpFailureConditions(failedAutoTopUp(amount, currency), standing)?.[0]?.message;
    expect(message('50000', 'VND')).toBe('acct_1: auto top-up of 50000 VND failed');
    expect(message('30', 'XYZ')).toBe('acct_1: auto top-up of 30.00 XYZ failed');
  });
});
