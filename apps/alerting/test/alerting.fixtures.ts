import { Decimal } from 'decimal.js';
import { alertLevelFor } from '@tally/budget-domain';
import type { BalanceChanged, PaymentEvent, TopUpStatusChanged } from '@tally/budget-domain';

export const NOVEMBER = { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' };
export const DECEMBER = { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' };

const amount = (value: Decimal) => value.toFixed(6);

/**
 * A ledger.balance-changed record (DESIGN 3.3) as the ledger computes it: `used` of an
 * `allowance` (default 100) with prepaid `credit` on top, the soft limit at 80 % of the
 * allowance, a hard limit. Stamped an hour before its period ends.
 */
export function balanceChanged(
  accountId: string,
  sequence: number,
  figures: { used: string; allowance?: string; credit?: string; period?: typeof NOVEMBER },
): BalanceChanged {
  const allowance = new Decimal(figures.allowance ?? '100');
  const used = new Decimal(figures.used);
  const credit = new Decimal(figures.credit ?? '0');
  const remaining = Decimal.max(allowance.minus(used), 0);
  const funds = remaining.plus(credit);
  const availablePercent = allowance.isZero()
    ? new Decimal(0)
    : funds.dividedBy(allowance).times(100);
  const spendPercent = new Decimal(100).minus(availablePercent);
  const period = figures.period ?? NOVEMBER;
  return {
    schema_version: 1,
    account_id: accountId,
    api_key_id: null,
    sequence,
    period,
    allowance: amount(allowance),
    used: amount(used),
    remaining: amount(remaining),
    extra_credit_remaining: amount(credit),
    available: amount(funds),
    available_percent: availablePercent.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber(),
    alert_level: alertLevelFor(spendPercent),
    over_soft_limit: allowance.greaterThan(0) && used.greaterThanOrEqualTo(allowance.times(0.8)),
    over_hard_limit: spendPercent.greaterThanOrEqualTo(100),
    overage: amount(Decimal.max(used.minus(allowance).minus(credit), 0)),
    cause: { transaction_id: `tx_${accountId}_${sequence}`, kind: 'usage' },
    at: new Date(new Date(period.end).getTime() - 3_600_000).toISOString(),
  };
}

export function payment(
  accountId: string,
  id: string,
  kind: PaymentEvent['kind'],
  trigger: PaymentEvent['trigger'],
): PaymentEvent {
  return {
    schema_version: 1,
    id,
    account_id: accountId,
    kind,
    trigger,
    credit_amount: kind === 'credit_purchased' ? '10.000000' : '0',
    paid_amount: '30.00',
    paid_currency: 'CHF',
    stripe_ref: `pi_test_${id}`,
    at: new Date().toISOString(),
  };
}

export function topUpStatus(
  accountId: string,
  sequence: number,
  state: TopUpStatusChanged['auto_topup']['state'],
): TopUpStatusChanged {
  return {
    schema_version: 1,
    account_id: accountId,
    sequence,
    auto_topup: {
      enabled: true,
      state,
      month_auto_paid: '30.00',
      monthly_limit: '300.00',
      paid_currency: 'CHF',
    },
    at: new Date().toISOString(),
  };
}
