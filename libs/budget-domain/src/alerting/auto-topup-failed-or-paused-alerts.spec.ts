import type { PaymentEvent } from '../events/payment-event';
import type { TopUpStatusChanged } from '../events/topup-status-changed';
import { autoTopUpFailureConditions, autoTopUpPausedConditions } from './auto-topup-alerts';

const standing = { level: 'RED', percent: 96 } as const;
const status = (
  state: TopUpStatusChanged['auto_topup']['state'],
  enabled = true,
): TopUpStatusChanged => ({
  schema_version: 1,
  account_id: 'acct_1',
  sequence: 3,
  auto_topup: {
    enabled,
    state,
    month_auto_paid: '30.00',
    monthly_limit: '300.00',
    paid_currency: 'CHF',
  },
  at: '2026-11-20T10:00:00.000Z',
});
const payment = (kind: PaymentEvent['kind'], trigger: PaymentEvent['trigger']): PaymentEvent => ({
  schema_version: 1,
  id: 'pay_1',
  account_id: 'acct_1',
  kind,
  trigger,
  credit_amount: '0',
  paid_amount: '30.00',
  paid_currency: 'CHF',
  stripe_ref: 'pi_1',
  at: '2026-11-20T10:00:00.000Z',
});

describe('auto top-up failed or paused', () => {
  it('paused holds while auto top-up is on but will not charge', () => {
    expect(autoTopUpPausedConditions(status('paused'), standing)).toEqual([
      {
        key: 'auto_topup_paused',
        kind: 'auto_topup_paused',
        level: 'RED',
        percent: 96,
        periodStart: null,
        message: 'acct_1: auto top-up is paused after a failed charge',
      },
    ]);
    expect(autoTopUpPausedConditions(status('monthly_limit_reached'), standing)[0]?.message).toBe(
      'acct_1: auto top-up is paused: its monthly limit is reached',
    );
    expect(autoTopUpPausedConditions(status('no_payment_method'), standing)).toHaveLength(1);
    for (const state of ['idle', 'pending', 'cooldown'] as const) {
      expect(autoTopUpPausedConditions(status(state), standing)).toEqual([]);
    }
    expect(autoTopUpPausedConditions(status('paused', false), standing)).toEqual([]);
  });

  it('paused after a lost dispute says so (ADR 0157)', () => {
    const disputed = status('paused');
    const paused = {
      ...disputed,
      auto_topup: { ...disputed.auto_topup, pause_reason: 'dispute_lost' as const },
    };
    expect(autoTopUpPausedConditions(paused, standing)[0]?.message).toBe(
      'acct_1: auto top-up is paused after a card payment was disputed and lost',
    );
  });

  it('a failed auto top-up holds until credit is bought; other payments change nothing', () => {
    expect(autoTopUpFailureConditions(payment('credit_failed', 'auto'), standing)).toEqual([
      {
        key: 'auto_topup_failed',
        kind: 'auto_topup_failed',
        level: 'RED',
        percent: 96,
        amount: '30.000000',
        periodStart: null,
        message: 'acct_1: auto top-up of 30.00 CHF failed',
      },
    ]);
    expect(autoTopUpFailureConditions(payment('credit_purchased', 'manual'), standing)).toEqual([]);
    expect(autoTopUpFailureConditions(payment('credit_failed', 'manual'), standing)).toBe(
      undefined,
    );
    expect(autoTopUpFailureConditions(payment('credit_refunded', 'admin'), standing)).toBe(
      undefined,
    );
  });

  it('a restoration (a failed refund given back) is no purchase: the failure still holds', () => {
    const restoration = {
      ...payment('credit_purchased', 'auto'),
      id: 'topup:e1:restored:re_1',
      restores_refund: 're_1',
    };
    expect(autoTopUpFailureConditions(restoration, standing)).toBe(undefined);
  });
});
