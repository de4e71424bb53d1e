import { Decimal } from 'decimal.js';
import type { PaymentEvent } from '../events/payment-event';
import type { AutoTopUpState, TopUpStatusChanged } from '../events/topup-status-changed';
import { formatAmount } from '../money/amount';
import type { AccountStanding, AlertCondition } from './alert-conditions';
import { presentMoney } from '../money/currency';
import { subjectOf } from './alert-conditions';

/** Auto top-up states in which it will not rescue the account, and how to say so. */
const PAUSED_BECAUSE: Readonly<Record<AutoTopUpState, string | null>> = {
  idle: null,
  pending: null,
  cooldown: null,
  paused: 'paused after a failed charge',
  monthly_limit_reached: 'paused: its monthly limit is reached',
  no_payment_method: 'paused: no payment method is saved',
};

/**
 * The auto_topup_paused condition of an auto top-up state (DESIGN 3.6): it holds while auto
 * top-up is enabled but will not charge. Turning it off is the account's own choice, not an alert.
 */
export function autoTopUpPausedConditions(
  status: TopUpStatusChanged,
  standing: AccountStanding,
): AlertCondition[] {
  const reason =
    status.auto_topup.pause_reason === 'dispute_lost'
      ? 'paused after a card payment was disputed and lost'
      : PAUSED_BECAUSE[status.auto_topup.state];
  if (!status.auto_topup.enabled || reason === null) return [];
  return [
    {
      key: 'auto_topup_paused',
      kind: 'auto_topup_paused',
      level: standing.level,
      percent: standing.percent,
      periodStart: null,
      message: `${subjectOf(status.account_id, null)}: auto top-up is ${reason}`,
    },
  ];
}

/**
 * The auto_topup_failed condition after a payment: a failed auto top-up makes it hold, a
 * credit purchase clears it; anything else (a refund, a failed refund's credit given back, a
 * failed manual checkout) leaves it as it was (undefined).
 */
export function autoTopUpFailureConditions(
  payment: PaymentEvent,
  standing: AccountStanding,
): AlertCondition[] | undefined {
  // A failed refund given back is no purchase: the card that failed has not been used since.
  if (payment.kind === 'credit_purchased') return payment.restores_refund ? undefined : [];
  if (payment.kind !== 'credit_failed' || payment.trigger !== 'auto') return undefined;
  return [
    {
      key: 'auto_topup_failed',
      kind: 'auto_topup_failed',
      level: standing.level,
      percent: standing.percent,
      amount: formatAmount(new Decimal(payment.paid_amount)),
      periodStart: null,
      message: `${subjectOf(payment.account_id, null)}: auto top-up of ${presentMoney(new Decimal(payment.paid_amount), payment.paid_currency)} failed`,
    },
  ];
}
