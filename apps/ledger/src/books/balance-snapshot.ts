import { Decimal } from 'decimal.js';
import {
  computeBudgetStatus,
  formatAmount,
  presentPercent,
  projectedPeriodCost,
} from '@tally/budget-domain';
import type { BalanceChanged, BalanceFacts, BudgetStatus, Period } from '@tally/budget-domain';
import type { StoredBudget } from './budget.store';
import type { LedgerCode } from './ledger-codes';

const ZERO = new Decimal(0);

/**
 * What the status rules need, from the ledger balances and, when the account has one, its
 * budget: with a budget, `used` and the allowance are the current period's; without one the
 * account runs on prepaid credit in one open period (used = all usage; base = all credit given).
 */
export function balanceFacts(
  balances: ReadonlyMap<LedgerCode, Decimal>,
  holds: Decimal,
  budget?: StoredBudget,
): BalanceFacts {
  const balance = (code: LedgerCode) => balances.get(code) ?? ZERO;
  return {
    allowance: budget?.state.allowance ?? ZERO,
    used: budget?.state.used ?? balance('revenue'),
    allowanceRemaining: budget?.state.allowanceRemaining ?? balance('allowance'),
    creditRemaining: balance('credit'),
    creditBase: balance('payments_clearing').plus(balance('promotions')).negated(),
    // With a budget, the period's; without one, the account's single open period's.
    overage: budget?.state.overage ?? balance('overage').negated(),
    holds,
    ...(budget
      ? {
          softLimitPercent: budget.definition.softLimitPercent,
          hardLimit: budget.definition.hardLimit,
        }
      : {}),
  };
}

/** A key budget limits what the key spends of the account's funds; it holds no money of its own. */
export function keyFacts(budget: StoredBudget, holds: Decimal): BalanceFacts {
  return {
    allowance: budget.state.allowance,
    used: budget.state.used,
    allowanceRemaining: budget.state.allowanceRemaining,
    creditRemaining: ZERO,
    creditBase: ZERO,
    overage: Decimal.max(budget.state.used.minus(budget.state.allowance), ZERO),
    holds,
    softLimitPercent: budget.definition.softLimitPercent,
    hardLimit: budget.definition.hardLimit,
  };
}

/**
 * A key's figures are its budget's (its period, usage, allowance, holds, limits; it holds no
 * money of its own). A spend must fit both the key and the account (DESIGN 4), so what the key
 * has available is capped by what the account has; the percent and alert level stay the key's,
 * as they say how far the key is through its own budget.
 */
export function keyStatus(
  budget: StoredBudget,
  keyHeld: Decimal,
  account: BudgetStatus,
): BudgetStatus {
  const status = computeBudgetStatus(keyFacts(budget, keyHeld));
  return { ...status, available: Decimal.min(status.available, account.available) };
}

/**
 * The balance-changed announcement of an account from its ledger balances and budget or, with
 * `key`, of a key budget inside it (DESIGN 3.3: one record per account and API key).
 */
export function balanceSnapshot(snapshot: {
  readonly accountId: string;
  readonly sequence: number;
  readonly balances: ReadonlyMap<LedgerCode, Decimal>;
  readonly holds: Decimal;
  readonly cause: { readonly transactionId: string; readonly kind: string };
  readonly at: Date;
  readonly budget?: StoredBudget | undefined;
  readonly key?: { readonly budget: StoredBudget; readonly held: Decimal };
}): BalanceChanged {
  const { budget, cause, key } = snapshot;
  const accountStatus = computeBudgetStatus(
    balanceFacts(snapshot.balances, snapshot.holds, budget),
  );
  const status = key ? keyStatus(key.budget, key.held, accountStatus) : accountStatus;
  const figuresOf = key?.budget ?? budget;
  return {
    schema_version: 1,
    account_id: snapshot.accountId,
    api_key_id: key?.budget.apiKeyId ?? null,
    sequence: snapshot.sequence,
    period: presentPeriod(figuresOf?.state.period),
    allowance: formatAmount(status.allowance),
    ...presentStatus(status),
    projected_period_cost: formatAmount(projectedCost(figuresOf, status.used, snapshot.at)),
    cause: { transaction_id: cause.transactionId, kind: cause.kind },
    at: snapshot.at.toISOString(),
  };
}

/**
 * The period's projected cost, as the budget status answers it and balance-changed announces
 * it: a budget set mid-period has counted only since it was set, so its rate is measured over
 * those days; usage that occurred before the period is counted once (ADR 0112).
 */
export function projectedCost(budget: StoredBudget | undefined, used: Decimal, now: Date): Decimal {
  return projectedPeriodCost(
    budget?.state.period ?? { start: null, end: null },
    used,
    now,
    budget?.definition.createdAt,
    budget?.state.usedFromEarlier,
  );
}

/** The figures every balance answer shares, on the wire. */
export function presentStatus(status: BudgetStatus) {
  return {
    used: formatAmount(status.used),
    remaining: formatAmount(status.remaining),
    extra_credit_remaining: formatAmount(status.extraCreditRemaining),
    available: formatAmount(status.available),
    available_percent: presentPercent(status.availablePercent),
    alert_level: status.alertLevel,
    over_soft_limit: status.overSoftLimit,
    over_hard_limit: status.overHardLimit,
    overage: formatAmount(status.overage),
  };
}

export function presentPeriod(period: Period | undefined): {
  start: string | null;
  end: string | null;
} {
  return { start: period?.start?.toISOString() ?? null, end: period?.end?.toISOString() ?? null };
}
