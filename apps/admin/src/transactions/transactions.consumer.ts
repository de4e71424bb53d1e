import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { EMPTY_CREDIT_POOLS, Topics, parseLedgerTransaction } from '@tally/budget-domain';
import type { CreditPools, LedgerTransaction } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { AccountsStore } from '../accounts/accounts.store';
import { SystemTotalsStore, emptyTotalsDelta } from '../accounts/system-totals.store';
import { UsageRollupsStore } from '../usage/usage-rollups.store';
import { projectTransaction } from './transaction-projection';
import type { ProjectedTransaction } from './transaction-projection';
import { TransactionsStore } from './transactions.store';

/**
 * ledger.transactions -> the transactions admin lists (each usage with its funding), each
 * account's credit split, and the cost of usage in the daily rollups. One account's
 * transactions arrive in posting order (the key is the account id), as the split needs.
 */
@Injectable()
export class TransactionsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly accounts: AccountsStore,
    private readonly store: TransactionsStore,
    private readonly rollups: UsageRollupsStore,
    private readonly totals: SystemTotalsStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.LedgerTransactions,
      decode: parseLedgerTransaction,
      idOf: (transaction) => transaction.transaction_id,
      // The transactions table records which transactions were applied: no inbox row for them.
      appliedIds: (transactions, tx) => this.store.projectedIds(tx.manager, transactions),
      effect: (transactions, tx) => this.apply(transactions, tx),
    });
  }

  private async apply(transactions: LedgerTransaction[], tx: OutboxTransaction): Promise<void> {
    const accountIds = transactions.map((transaction) => transaction.account_id);
    const delta = emptyTotalsDelta();
    delta.accounts = await this.accounts.touch(tx.manager, accountIds);
    const stored = await this.store.lockPools(tx.manager, accountIds);
    const pools = new Map<string, CreditPools>();
    const projected: ProjectedTransaction[] = [];
    for (const transaction of transactions) {
      const before =
        pools.get(transaction.account_id) ??
        stored.get(transaction.account_id) ??
        EMPTY_CREDIT_POOLS;
      const result = projectTransaction(transaction, before);
      pools.set(transaction.account_id, result.pools);
      projected.push(result.projected);
    }
    await this.store.savePools(tx.manager, pools);
    await this.store.insert(tx.manager, projected);
    await this.rollups.add(
      tx.manager,
      projected.flatMap((transaction) => transaction.usage),
    );
    await this.totals.add(tx.manager, delta);
  }
}
