import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { allocateSpend, usageDedupKey } from '@tally/budget-domain';
import type { PeriodState, UsageRated } from '@tally/budget-domain';
import type { OpenBooks } from '../books/books.service';
import type { UsageLine } from '../books/ledger.store';

const ZERO = new Decimal(0);

/**
 * Records an account's usage events, in order, as one usage transaction with a line each:
 * each event is paid by the tenant's allowance first, then its credit, then overage, from
 * what the events before it left; the transaction posts the sums, and the tenant's revenue
 * account receives the cost. The account's budget and the key's count the spend in their
 * periods.
 */
export function recordUsage(
  books: OpenBooks,
  accountId: string,
  events: readonly UsageRated[],
): void {
  const balances = books.balancesOf(accountId);
  let allowanceLeft = balances.get('allowance') ?? ZERO;
  let creditLeft = balances.get('credit') ?? ZERO;
  const accountBudget = books.accountBudget(accountId);
  const lines = events.map((event): UsageLine => {
    const cost = new Decimal(event.cost);
    const split = allocateSpend(cost, {
      allowanceRemaining: allowanceLeft,
      creditRemaining: creditLeft,
    });
    allowanceLeft = allowanceLeft.minus(split.fromAllowance);
    creditLeft = creditLeft.minus(split.fromCredit);
    if (accountBudget) accountBudget.state = spend(accountBudget.state, cost, split.fromAllowance);
    const keyBudget = books.keyBudget(accountId, event.api_key_id);
    if (keyBudget) {
      keyBudget.state = spend(
        keyBudget.state,
        cost,
        Decimal.min(cost, keyBudget.state.allowanceRemaining),
      );
    }
    return {
      sourceId: usageDedupKey(event),
      usageId: event.id,
      source: event.source,
      apiKeyId: event.api_key_id,
      service: event.service,
      provider: event.provider,
      model: event.model,
      occurredAt: event.occurred_at,
      cost,
      fromAllowance: split.fromAllowance,
      fromCredit: split.fromCredit,
      toOverage: split.toOverage,
      reservationId: event.reservation_id,
    };
  });
  const sum = (part: (line: UsageLine) => Decimal) =>
    lines.reduce((total, line) => total.plus(part(line)), ZERO);
  const first = lines[0];
  if (!first) return;
  books.record({
    accountId,
    transactionId: randomUUID(),
    kind: 'usage',
    // A line's identity is unique in the account's books, so its first line names the transaction.
    sourceId: first.sourceId,
    occurredAt: lines[lines.length - 1]!.occurredAt,
    details: { lines: lines.length },
    postings: [
      { code: 'allowance', amount: sum((line) => line.fromAllowance).negated() },
      { code: 'credit', amount: sum((line) => line.fromCredit).negated() },
      { code: 'overage', amount: sum((line) => line.toOverage).negated() },
      { code: 'revenue', amount: sum((line) => line.cost) },
    ],
    lines,
  });
}

/** A budget's period figures after a spend: all of it is used, part of it came from the allowance. */
function spend(state: PeriodState, cost: Decimal, fromAllowance: Decimal): PeriodState {
  return {
    ...state,
    used: state.used.plus(cost),
    allowanceRemaining: state.allowanceRemaining.minus(fromAllowance),
  };
}
