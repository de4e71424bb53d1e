import { randomUUID } from 'node:crypto';
import { rollToPeriod } from '@tally/budget-domain';
import type { NewTransaction } from '../postings/ledger.store';
import type { StoredBudget } from './budget.store';

/**
 * Moves budgets to the period `now` falls in. An account budget's reset is also money: the
 * unused allowance beyond the rollover cap expires (allowance → expiry) and the new period's
 * allowance is issued (allowance_issued → allowance). Key budgets only limit spending, so
 * their resets post nothing. Resetting is idempotent per period (the source id names it).
 */
export function rollBudgets(budgets: readonly StoredBudget[], now: Date): NewTransaction[] {
  const transactions: NewTransaction[] = [];
  for (const budget of budgets) {
    const { state, resets } = rollToPeriod(budget.definition, budget.state, now);
    budget.state = state;
    if (budget.apiKeyId !== null) continue;
    for (const reset of resets) {
      const periodStart = reset.to.start!.toISOString();
      if (!reset.expired.isZero()) {
        transactions.push(transaction(budget.accountId, 'allowance_expiry', periodStart, now, [
          { code: 'allowance', amount: reset.expired.negated() },
          { code: 'expiry', amount: reset.expired },
        ]));
      }
      const issued = reset.allowance.minus(reset.rolledOver);
      transactions.push(transaction(budget.accountId, 'allowance_issue', periodStart, now, [
        { code: 'allowance', amount: issued },
        { code: 'allowance_issued', amount: issued.negated() },
      ]));
    }
  }
  return transactions;
}

/** The allowance of a budget's first period, issued when the budget is set. */
export function openingIssue(budget: StoredBudget, now: Date): NewTransaction {
  return transaction(budget.accountId, 'allowance_issue', budget.state.period.start?.toISOString() ?? 'open', now, [
    { code: 'allowance', amount: budget.state.allowance },
    { code: 'allowance_issued', amount: budget.state.allowance.negated() },
  ]);
}

function transaction(accountId: string, kind: string, periodStart: string, at: Date, postings: NewTransaction['postings']): NewTransaction {
  return {
    accountId,
    transactionId: randomUUID(),
    kind,
    sourceId: `period:${periodStart}`,
    occurredAt: at.toISOString(),
    details: { period_start: periodStart },
    postings,
  };
}

export function accountBudgetOf(budgets: readonly StoredBudget[], accountId: string): StoredBudget | undefined {
  return budgets.find((budget) => budget.accountId === accountId && budget.apiKeyId === null);
}

export function keyBudgetOf(budgets: readonly StoredBudget[], accountId: string, apiKeyId: string | null): StoredBudget | undefined {
  return apiKeyId === null ? undefined : budgets.find((budget) => budget.accountId === accountId && budget.apiKeyId === apiKeyId);
}

/** Copies of the budgets as of `now`, for reading: a due reset is seen without being persisted. */
export function currentPeriods(budgets: readonly StoredBudget[], now: Date): StoredBudget[] {
  return budgets.map((budget) => ({ ...budget, state: rollToPeriod(budget.definition, budget.state, now).state }));
}
