import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { allocateSpend, usageDedupKey } from '@tally/budget-domain';
import type { PeriodState, UsageRated } from '@tally/budget-domain';
import type { OpenBooks } from '../books/books.service';
import type { NewTransaction } from '../books/ledger.store';

const ZERO = new Decimal(0);

/**
 * Records one rated usage event: the tenant's allowance pays first, then its credit, then
 * overage; the tenant's revenue account receives the cost. The account's budget and the key's
 * count the spend in their periods.
 */
export function recordUsage(books: OpenBooks, event: UsageRated): void {
  const balances = books.balancesOf(event.account_id);
  const cost = new Decimal(event.cost);
  const split = allocateSpend(cost, {
    allowanceRemaining: balances.get('allowance') ?? ZERO,
    creditRemaining: balances.get('credit') ?? ZERO,
  });
  const accountBudget = books.accountBudget(event.account_id);
  if (accountBudget) accountBudget.state = spend(accountBudget.state, cost, split.fromAllowance);
  const keyBudget = books.keyBudget(event.account_id, event.api_key_id);
  if (keyBudget) {
    keyBudget.state = spend(
      keyBudget.state,
      cost,
      Decimal.min(cost, keyBudget.state.allowanceRemaining),
    );
  }
  const transaction: NewTransaction = {
    accountId: event.account_id,
    transactionId: randomUUID(),
    kind: 'usage',
    sourceId: usageDedupKey(event),
    occurredAt: event.occurred_at,
    details: {
      usage_id: event.id,
      source: event.source,
      api_key_id: event.api_key_id,
      service: event.service,
      provider: event.provider,
      model: event.model,
      price_version: event.price_version,
    },
    postings: [
      { code: 'allowance', amount: split.fromAllowance.negated() },
      { code: 'credit', amount: split.fromCredit.negated() },
      { code: 'overage', amount: split.toOverage.negated() },
      { code: 'revenue', amount: cost },
    ],
  };
  books.record(transaction);
}

/** A budget's period figures after a spend: all of it is used, part of it came from the allowance. */
function spend(state: PeriodState, cost: Decimal, fromAllowance: Decimal): PeriodState {
  return {
    ...state,
    used: state.used.plus(cost),
    allowanceRemaining: state.allowanceRemaining.minus(fromAllowance),
  };
}
