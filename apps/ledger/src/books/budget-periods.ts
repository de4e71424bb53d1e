import { randomUUID } from 'node:crypto';
import { changeTerms, restartPeriod, rollToPeriod } from '@tally/budget-domain';
import type { BudgetDefinition, PeriodReset } from '@tally/budget-domain';
import type { NewTransaction } from './ledger.store';
import type { StoredBudget } from './budget.store';

/**
 * Moves budgets to the period `now` falls in. An account budget's reset is also money: the
 * unused allowance beyond the rollover cap expires (allowance → expiry) and the new period's
 * allowance is issued (allowance_issued → allowance). Key budgets only limit spending, so
 * their resets post nothing. Resetting is idempotent per period (the source id names it).
 */
export function rollBudgets(budgets: readonly StoredBudget[], now: Date): NewTransaction[] {
  return budgets.flatMap((budget) => {
    const { state, resets } = rollToPeriod(budget.definition, budget.state, now);
    budget.state = state;
    return resets.flatMap((reset) =>
      resetTransactions(budget, reset, `period:${periodStartOf(reset, now)}`, now),
    );
  });
}

/**
 * Gives a budget a new period rule from `now` on (restartPeriod): the reset it makes posts like
 * any other, named by the moment of the change, which no period's own reset shares.
 */
export function changePeriodRule(
  budget: StoredBudget,
  definition: BudgetDefinition,
  now: Date,
): NewTransaction[] {
  const { state, reset } = restartPeriod(budget.definition, definition, budget.state, now);
  budget.definition = definition;
  budget.state = state;
  return resetTransactions(budget, reset, `period-rule:${now.toISOString()}`, now);
}

/**
 * Gives a budget a changed definition under the same period rule (changeTerms). The allowance a
 * new limit moves at once (a budget without periods) is issued (allowance_issued → allowance)
 * or withdrawn back (allowance → allowance_issued), named by the moment of the change.
 */
export function changeBudgetTerms(
  budget: StoredBudget,
  definition: BudgetDefinition,
  now: Date,
): NewTransaction[] {
  const { state, moved } = changeTerms(budget.definition, definition, budget.state, now);
  budget.definition = definition;
  budget.state = state;
  if (budget.apiKeyId !== null || moved.isZero()) return [];
  const periodStart = state.period.start?.toISOString() ?? 'open';
  return [
    transaction(
      budget.accountId,
      moved.isPositive() ? 'allowance_issue' : 'allowance_withdrawal',
      `limit:${now.toISOString()}`,
      periodStart,
      now,
      [
        { code: 'allowance', amount: moved },
        { code: 'allowance_issued', amount: moved.negated() },
      ],
    ),
  ];
}

/** The allowance of a budget's first period, issued when the budget is set. */
export function openingIssue(budget: StoredBudget, now: Date): NewTransaction {
  const periodStart = budget.state.period.start?.toISOString() ?? 'open';
  return transaction(
    budget.accountId,
    'allowance_issue',
    `period:${periodStart}`,
    periodStart,
    now,
    [
      { code: 'allowance', amount: budget.state.allowance },
      { code: 'allowance_issued', amount: budget.state.allowance.negated() },
    ],
  );
}

function resetTransactions(
  budget: StoredBudget,
  reset: PeriodReset,
  sourceId: string,
  now: Date,
): NewTransaction[] {
  if (budget.apiKeyId !== null) return [];
  const periodStart = periodStartOf(reset, now);
  const issued = reset.allowance.minus(reset.rolledOver);
  const transactions: NewTransaction[] = [];
  if (!reset.expired.isZero()) {
    transactions.push(
      transaction(budget.accountId, 'allowance_expiry', sourceId, periodStart, now, [
        { code: 'allowance', amount: reset.expired.negated() },
        { code: 'expiry', amount: reset.expired },
      ]),
    );
  }
  if (!issued.isZero()) {
    transactions.push(
      transaction(budget.accountId, 'allowance_issue', sourceId, periodStart, now, [
        { code: 'allowance', amount: issued },
        { code: 'allowance_issued', amount: issued.negated() },
      ]),
    );
  }
  return transactions;
}

/** A reset always opens a period with a start (a `none` period never ends); `now` only satisfies the type. */
function periodStartOf(reset: PeriodReset, now: Date): string {
  return (reset.to.start ?? now).toISOString();
}

function transaction(
  accountId: string,
  kind: string,
  sourceId: string,
  periodStart: string,
  at: Date,
  postings: NewTransaction['postings'],
): NewTransaction {
  return {
    accountId,
    transactionId: randomUUID(),
    kind,
    sourceId,
    occurredAt: at.toISOString(),
    details: { period_start: periodStart },
    postings,
  };
}

export function accountBudgetOf(
  budgets: readonly StoredBudget[],
  accountId: string,
): StoredBudget | undefined {
  return budgets.find((budget) => budget.accountId === accountId && budget.apiKeyId === null);
}

export function keyBudgetOf(
  budgets: readonly StoredBudget[],
  accountId: string,
  apiKeyId: string | null,
): StoredBudget | undefined {
  return apiKeyId === null
    ? undefined
    : budgets.find((budget) => budget.accountId === accountId && budget.apiKeyId === apiKeyId);
}

/** Copies of the budgets as of `now`, for reading: a due reset is seen without being persisted. */
export function currentPeriods(budgets: readonly StoredBudget[], now: Date): StoredBudget[] {
  return budgets.map((budget) => ({
    ...budget,
    state: rollToPeriod(budget.definition, budget.state, now).state,
  }));
}
