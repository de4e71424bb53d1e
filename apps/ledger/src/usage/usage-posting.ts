import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import {
  allocateSpend,
  chargeUsage,
  countingStartMs,
  isFreeModel,
  timestampMs,
  usageDedupKey,
  usageTokens,
} from '@tally/budget-domain';
import type { PeriodState, UsageRated } from '@tally/budget-domain';
import type { OpenBooks } from '../books/books.service';
import type { StoredBudget } from '../books/budget.store';
import type { UsageLine } from '../books/ledger.store';
import type { AccountChargeTerms, MonthDelta } from '../plans/plans.store';

const ZERO = new Decimal(0);

/**
 * Records an account's usage events, in order, as one usage transaction with a line each.
 * Each event is charged on the account's terms (ADR 0042: cost + markup − discount, the volume
 * discount by the month's tokens before it), then paid by the tenant's allowance first, its
 * credit next, then overage, from what the events before it left; what lies past the monthly
 * cap is overage at once (ADR 0044). The transaction posts the sums, and the tenant's revenue
 * account receives what was charged. The account's budget and the key's count the charges in
 * their periods. Returns the lines and what they add to the account's month.
 */
export function recordUsage(
  books: OpenBooks,
  accountId: string,
  events: readonly UsageRated[],
  terms: AccountChargeTerms,
): { lines: UsageLine[]; month: MonthDelta } {
  const balances = books.balancesOf(accountId);
  let allowanceLeft = balances.get('allowance') ?? ZERO;
  let creditLeft = balances.get('credit') ?? ZERO;
  let monthTokens = terms.monthTokens;
  let monthCharged = terms.monthCharged;
  const accountBudget = books.accountBudget(accountId);
  const lines = events.map((event): UsageLine => {
    const cost = new Decimal(event.cost);
    const tokens = usageTokens(event);
    const { markup, discount, charged } = chargeUsage(
      { cost, tokens, freeModel: isFreeModel(event.provider, event.model) },
      terms,
      monthTokens,
    );
    const split = allocateSpend(charged, {
      allowanceRemaining: allowanceLeft,
      creditRemaining: creditLeft,
      ...(terms.monthlyCap ? { capRemaining: terms.monthlyCap.minus(monthCharged) } : {}),
    });
    allowanceLeft = allowanceLeft.minus(split.fromAllowance);
    creditLeft = creditLeft.minus(split.fromCredit);
    monthTokens += tokens;
    monthCharged = monthCharged.plus(charged);
    const keyBudget = books.keyBudget(accountId, event.api_key_id);
    // Read only when a budget counts the charge: the posting path parses no more than it needs.
    const occurredMs = accountBudget || keyBudget ? timestampMs(event.occurred_at) : 0;
    if (accountBudget)
      accountBudget.state = spend(
        accountBudget,
        charged,
        split.fromAllowance,
        split.toOverage,
        occurredMs,
      );
    if (keyBudget) {
      const fromKeyAllowance = Decimal.min(charged, keyBudget.state.allowanceRemaining);
      keyBudget.state = spend(
        keyBudget,
        charged,
        fromKeyAllowance,
        charged.minus(fromKeyAllowance),
        occurredMs,
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
      tokens,
      cost,
      markup,
      discount,
      charged,
      fromAllowance: split.fromAllowance,
      fromCredit: split.fromCredit,
      toOverage: split.toOverage,
      reservationId: event.reservation_id,
    };
  });
  const month = {
    accountId,
    tokens: monthTokens - terms.monthTokens,
    charged: monthCharged.minus(terms.monthCharged),
  };
  const sum = (part: (line: UsageLine) => Decimal) =>
    lines.reduce((total, line) => total.plus(part(line)), ZERO);
  const first = lines[0];
  if (!first) return { lines, month };
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
      { code: 'revenue', amount: sum((line) => line.charged) },
    ],
    lines,
  });
  return { lines, month };
}

/**
 * A budget's period figures after a charge: all of it is used, part of it came from the
 * allowance, part of it is overage; if it occurred before the budget began counting (the
 * period's start, or its creation mid-period: it arrived late), it is also counted as used from
 * earlier, which the projection does not extrapolate (ADR 0112, 0155).
 */
function spend(
  budget: StoredBudget,
  charged: Decimal,
  fromAllowance: Decimal,
  toOverage: Decimal,
  occurredMs: number,
): PeriodState {
  const state = budget.state;
  const countingStart = countingStartMs(state.period, budget.definition.createdAt);
  const fromEarlier = countingStart !== null && occurredMs < countingStart;
  // Every field named: a spread followed by other keys costs microseconds in Node 20.
  return {
    period: state.period,
    allowance: state.allowance,
    allowanceRemaining: state.allowanceRemaining.minus(fromAllowance),
    used: state.used.plus(charged),
    rolledOver: state.rolledOver,
    overage: state.overage.plus(toOverage),
    usedFromEarlier: fromEarlier ? state.usedFromEarlier.plus(charged) : state.usedFromEarlier,
  };
}
