import { Decimal } from 'decimal.js';
import { changeCredit, spendCredit } from '@tally/budget-domain';
import type { CreditPools, LedgerTransaction } from '@tally/budget-domain';
import { utcDay } from '../usage/usage-day';
import type { UsageIncrement } from '../usage/usage-rollups.store';

const ZERO = new Decimal(0);

/** One usage event of a usage transaction (DESIGN 3.3). */
type UsageLine = NonNullable<LedgerTransaction['lines']>[number];
/** The tenant side of the ledger (ADR 0004): what the tenant can spend or owes. */
const TENANT_ACCOUNTS = new Set(['allowance', 'credit', 'overage']);

export interface Funding {
  allowance: Decimal;
  credit: Decimal;
  bonus: Decimal;
  overage: Decimal;
}

/** A transaction as admin lists it, and what it adds to the usage rollups. */
export interface ProjectedTransaction {
  readonly accountId: string;
  readonly transactionId: string;
  readonly kind: string;
  /** The net change of the tenant's funds: usage is negative. */
  readonly amount: Decimal;
  readonly occurredAt: string;
  readonly postedAt: string;
  /** Usage only: which funds paid it. */
  readonly funding: Funding | null;
  /** Usage only: each line once, as the ledger posted it (ADR 0161). */
  readonly usage: UsageIncrement[];
}

/**
 * Projects one posted transaction, in the account's posting order, against the account's
 * credit split (ADR 0035): usage says which funds paid it (allowance, purchased credit, granted
 * credit, overage) and what it adds to the usage rollups (what the ledger charged, the line's
 * tokens, one request: the ledger posts an event once, ADR 0161); credit
 * moving in or out grows or shrinks the part its counterpart names (promotions: granted;
 * anything else, payments: purchased).
 */
export function projectTransaction(
  transaction: LedgerTransaction,
  pools: CreditPools,
): { projected: ProjectedTransaction; pools: CreditPools } {
  const total = (code: string) =>
    transaction.postings
      .filter((posting) => posting.ledger_account === code)
      .reduce((sum, posting) => sum.plus(posting.amount), ZERO);
  const amount = transaction.postings
    .filter((posting) => TENANT_ACCOUNTS.has(posting.ledger_account))
    .reduce((sum, posting) => sum.plus(posting.amount), ZERO);
  const base = {
    accountId: transaction.account_id,
    transactionId: transaction.transaction_id,
    kind: transaction.kind,
    amount,
    occurredAt: transaction.occurred_at,
    postedAt: transaction.posted_at,
  };
  const lines =
    transaction.lines ?? (transaction.kind === 'usage' ? [lineOfPostings(transaction, total)] : []);
  if (lines.length === 0) {
    const creditChange = total('credit');
    const source = transaction.postings.some((posting) => posting.ledger_account === 'promotions')
      ? 'bonus'
      : 'paid';
    return {
      projected: { ...base, funding: null, usage: [] },
      pools: creditChange.isZero() ? pools : changeCredit(pools, source, creditChange),
    };
  }
  const funding: Funding = { allowance: ZERO, credit: ZERO, bonus: ZERO, overage: ZERO };
  const usage: UsageIncrement[] = [];
  let current = pools;
  for (const line of lines) {
    const allowance = new Decimal(line.funding.allowance);
    const overage = new Decimal(line.funding.overage);
    const spent = spendCredit(current, new Decimal(line.funding.credit));
    current = spent.pools;
    funding.allowance = funding.allowance.plus(allowance);
    funding.credit = funding.credit.plus(spent.fromPaid);
    funding.bonus = funding.bonus.plus(spent.fromBonus);
    funding.overage = funding.overage.plus(overage);
    usage.push({
      accountId: transaction.account_id,
      day: utcDay(line.occurred_at),
      service: line.service,
      provider: line.provider,
      model: line.model,
      apiKeyId: line.api_key_id ?? '',
      cost: new Decimal(line.charged),
      // A line from before the ledger published its tokens counts none.
      tokens: line.tokens ?? 0,
      requests: 1,
    });
  }
  return { projected: { ...base, funding, usage }, pools: current };
}

/**
 * A usage transaction of one event without lines (as the ledger posted usage before lines[]):
 * the event is in `details`, its funding in the postings (negative on the tenant side), what it
 * was charged their sum.
 */
function lineOfPostings(
  transaction: LedgerTransaction,
  total: (code: string) => Decimal,
): UsageLine {
  const details = transaction.details;
  const text = (name: string) => {
    const value = details[name];
    return typeof value === 'string' ? value : 'unknown';
  };
  const allowance = total('allowance').negated();
  const credit = total('credit').negated();
  const overage = total('overage').negated();
  const charged = allowance.plus(credit).plus(overage);
  return {
    usage_id: text('usage_id'),
    source: text('source'),
    api_key_id: typeof details['api_key_id'] === 'string' ? details['api_key_id'] : null,
    service: text('service'),
    provider: text('provider'),
    model: text('model'),
    occurred_at: transaction.occurred_at,
    cost: charged.toFixed(),
    markup: '0',
    discount: '0',
    charged: charged.toFixed(),
    reservation_id: null,
    funding: {
      allowance: allowance.toFixed(),
      credit: Decimal.max(credit, ZERO).toFixed(),
      overage: overage.toFixed(),
    },
  };
}
