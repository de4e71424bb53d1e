import { Decimal } from 'decimal.js';
import { hourOf, timestampMs } from '@tally/budget-domain';
import type { LedgerTransaction } from '@tally/budget-domain';
import type { RollupIncrement } from './usage-rollups.store';

const TENANT_ACCOUNTS = new Set(['allowance', 'credit', 'overage']);

/**
 * What a slice of ledger.transactions adds to the hourly spend rollups (ADR 0168): per account
 * and UTC hour of each usage line's occurred_at, what the ledger charged and one event per
 * line. The ledger posts an event once, whatever metering rated twice, and charges its plan's
 * markup and discount, which usage.rated does not carry.
 */
export function hourlySpendOf(transactions: readonly LedgerTransaction[]): RollupIncrement[] {
  const byKey = new Map<string, { accountId: string; hour: Date; cost: Decimal; events: number }>();
  const add = (accountId: string, occurredAt: string, charged: Decimal) => {
    // Without an offset the time is UTC (ADR 0071), not the host's zone, which Date would read.
    const hour = hourOf(new Date(timestampMs(occurredAt)));
    const key = `${accountId}\u0000${hour.getTime()}`;
    const entry = byKey.get(key) ?? { accountId, hour, cost: new Decimal(0), events: 0 };
    entry.cost = entry.cost.plus(charged);
    entry.events += 1;
    byKey.set(key, entry);
  };
  for (const transaction of transactions) {
    if (transaction.lines) {
      for (const line of transaction.lines) {
        add(transaction.account_id, line.occurred_at, new Decimal(line.charged));
      }
    } else if (transaction.kind === 'usage') {
      // Posted before lines[]: one event, charged what the tenant's side of its postings paid.
      const paid = transaction.postings
        .filter((posting) => TENANT_ACCOUNTS.has(posting.ledger_account))
        .reduce((sum, posting) => sum.plus(posting.amount), new Decimal(0));
      add(transaction.account_id, transaction.occurred_at, paid.negated());
    }
  }
  return [...byKey.values()];
}
