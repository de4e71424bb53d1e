import { Decimal } from 'decimal.js';
import { computeBudgetStatus, formatAmount, presentPercent } from '@tally/budget-domain';
import type { BalanceChanged } from '@tally/budget-domain';
import type { LedgerCode } from './ledger-codes';

const ZERO = new Decimal(0);

/**
 * The balance-changed announcement of an account from its ledger balances. Until budgets
 * with periods exist, an account's period is open-ended ("none"): used is all usage posted
 * (its revenue), and the credit base is all credit ever added (granted or paid).
 */
export function balanceFacts(balances: ReadonlyMap<LedgerCode, Decimal>, holds: Decimal) {
  const balance = (code: LedgerCode) => balances.get(code) ?? ZERO;
  return {
    allowance: ZERO,
    used: balance('revenue'),
    allowanceRemaining: balance('allowance'),
    creditRemaining: balance('credit'),
    creditBase: balance('payments_clearing').plus(balance('promotions')).negated(),
    overage: balance('overage').negated(),
    holds,
  };
}

export function balanceSnapshot(
  accountId: string,
  balances: ReadonlyMap<LedgerCode, Decimal>,
  holds: Decimal,
  cause: { transactionId: string; kind: string },
  at: Date,
): BalanceChanged {
  const status = computeBudgetStatus(balanceFacts(balances, holds));
  return {
    schema_version: 1,
    account_id: accountId,
    api_key_id: null,
    period: { start: null, end: null },
    allowance: formatAmount(status.allowance),
    used: formatAmount(status.used),
    remaining: formatAmount(status.remaining),
    extra_credit_remaining: formatAmount(status.extraCreditRemaining),
    available: formatAmount(status.available),
    available_percent: presentPercent(status.availablePercent),
    alert_level: status.alertLevel,
    over_soft_limit: status.overSoftLimit,
    over_hard_limit: status.overHardLimit,
    overage: formatAmount(status.overage),
    cause: { transaction_id: cause.transactionId, kind: cause.kind },
    at: at.toISOString(),
  };
}
