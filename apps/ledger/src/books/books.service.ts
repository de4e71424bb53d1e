import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { Topics, allocateSpend, formatAmount, usageDedupKey } from '@tally/budget-domain';
import type { LedgerTransaction, UsageRated } from '@tally/budget-domain';
import type { OutboxMessage } from '@tally/messaging';
import { MessagingService, jsonMessage } from '@tally/messaging';
import type { EntityManager } from 'typeorm';
import type { PeriodState } from '@tally/budget-domain';
import { accountBudgetOf, keyBudgetOf, rollBudgets } from '../budgets/budget-periods';
import { BudgetStore } from '../budgets/budget.store';
import type { StoredBudget } from '../budgets/budget.store';
import { HoldsStore } from '../holds/holds.store';
import { balanceSnapshot } from './balance-snapshot';
import type { LedgerCode } from './ledger-codes';
import { LedgerStore, balancesOf } from './ledger.store';
import type { Balances, NewTransaction } from './ledger.store';

const ZERO = new Decimal(0);

/** The balances and budgets of a batch's accounts, locked for its transaction (`PostingService.lock`). */
export interface LockedAccounts {
  readonly balances: Map<string, Balances>;
  /** Moved to the current period; `postLocked` saves them. */
  readonly budgets: StoredBudget[];
  /** The period resets that were due, already applied to `balances`; posted before anything else. */
  readonly resets: readonly NewTransaction[];
}

/**
 * Posts rated usage as double-entry transactions: the tenant's allowance, then credit, then
 * overage pay; the tenant's revenue account receives the cost. Returns the messages that
 * announce what was posted, to be written to the outbox in the same transaction. Every
 * posting of money into an account (usage, purchases, grants) starts with `lock` and ends
 * with `postLocked`, so it follows a due reset and is announced against the account's budget.
 */
@Injectable()
export class PostingService {
  constructor(
    private readonly store: LedgerStore,
    private readonly budgets: BudgetStore,
    private readonly holds: HoldsStore,
    private readonly messaging: MessagingService,
  ) {}

  async postUsage(
    manager: EntityManager,
    events: readonly UsageRated[],
    now: Date,
  ): Promise<OutboxMessage[]> {
    if (events.length === 0) return [];
    const accountIds = [...new Set(events.map((event) => event.account_id))].sort();
    await this.store.openAccounts(manager, accountIds, 'usage');
    const locked = await this.lock(manager, accountIds, now);
    const { balances, budgets } = locked;

    const usage = events.map((event) => {
      const account = balancesOf(balances, event.account_id);
      const cost = new Decimal(event.cost);
      const accountBudget = accountBudgetOf(budgets, event.account_id);
      const split = allocateSpend(cost, {
        allowanceRemaining: account.get('allowance') ?? ZERO,
        creditRemaining: account.get('credit') ?? ZERO,
      });
      if (accountBudget)
        accountBudget.state = spend(accountBudget.state, cost, split.fromAllowance);
      const keyBudget = keyBudgetOf(budgets, event.account_id, event.api_key_id);
      if (keyBudget)
        keyBudget.state = spend(
          keyBudget.state,
          cost,
          Decimal.min(cost, keyBudget.state.allowanceRemaining),
        );
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
      applyPostings(account, transaction);
      return transaction;
    });

    await this.holds.settle(
      manager,
      events.flatMap((event) =>
        event.reservation_id
          ? [{ accountId: event.account_id, reservationId: event.reservation_id, cost: event.cost }]
          : [],
      ),
      now,
    );
    return this.postLocked(manager, locked, usage, now);
  }

  /**
   * Locks the ledger balances and budgets of accounts that exist (open them first when a
   * message may name a new one) and moves their budgets to the period `now` falls in. Every
   * posting starts here, so a purchase or a grant that arrives after a missed reset posts the
   * reset before itself, and its announcement is measured against the right period.
   */
  async lock(manager: EntityManager, accountIds: string[], now: Date): Promise<LockedAccounts> {
    const balances = await this.store.lockBalances(manager, accountIds);
    const budgets = await this.budgets.lock(manager, accountIds);
    const resets = rollBudgets(budgets, now);
    for (const reset of resets) applyPostings(balancesOf(balances, reset.accountId), reset);
    return { balances, budgets, resets };
  }

  /**
   * Posts transactions whose postings were applied to `locked.balances`, after the resets
   * `lock` found due, and saves the budgets; returns the announcements (`post`).
   */
  async postLocked(
    manager: EntityManager,
    locked: LockedAccounts,
    transactions: readonly NewTransaction[],
    now: Date,
  ): Promise<OutboxMessage[]> {
    await this.budgets.save(manager, locked.budgets);
    return this.post(
      manager,
      [...locked.resets, ...transactions],
      locked.balances,
      now,
      locked.budgets,
    );
  }

  /**
   * Stores transactions whose postings were applied to `balances`, and returns their
   * announcements: ledger.transactions for each, ledger.balance-changed once per account
   * (its state after all of them, holds included, measured against its budget).
   */
  async post(
    manager: EntityManager,
    transactions: readonly NewTransaction[],
    balances: Map<string, Balances>,
    now: Date,
    // Required, not defaulted: an account whose budget is left out is announced as having none.
    budgets: readonly StoredBudget[],
  ): Promise<OutboxMessage[]> {
    await this.store.post(manager, transactions);
    const holds = await this.holds.heldAmounts(
      manager,
      [...new Set(transactions.map((t) => t.accountId))],
      now,
    );
    const transactionsTopic = this.messaging.topic(Topics.LedgerTransactions);
    const balanceTopic = this.messaging.topic(Topics.LedgerBalanceChanged);
    const lastByAccount = new Map<string, NewTransaction>();
    const messages = transactions.map((transaction) => {
      lastByAccount.set(transaction.accountId, transaction);
      return jsonMessage(
        transactionsTopic,
        transaction.accountId,
        transactionRecord(transaction, now),
      );
    });
    for (const [accountId, last] of lastByAccount) {
      const snapshot = balanceSnapshot(
        accountId,
        balancesOf(balances, accountId),
        holds.get(accountId) ?? ZERO,
        last,
        now,
        accountBudgetOf(budgets, accountId),
      );
      messages.push(jsonMessage(balanceTopic, accountId, snapshot));
    }
    return messages;
  }
}

/** A budget's period figures after a spend: all of it is used, part of it came from the allowance. */
function spend(state: PeriodState, cost: Decimal, fromAllowance: Decimal): PeriodState {
  return {
    ...state,
    used: state.used.plus(cost),
    allowanceRemaining: state.allowanceRemaining.minus(fromAllowance),
  };
}

export function applyPostings(
  account: Map<LedgerCode, Decimal>,
  transaction: NewTransaction,
): void {
  for (const posting of transaction.postings) {
    account.set(posting.code, (account.get(posting.code) ?? ZERO).plus(posting.amount));
  }
}

function transactionRecord(transaction: NewTransaction, postedAt: Date): LedgerTransaction {
  return {
    schema_version: 1,
    transaction_id: transaction.transactionId,
    account_id: transaction.accountId,
    kind: transaction.kind,
    source_id: transaction.sourceId,
    occurred_at: transaction.occurredAt,
    posted_at: postedAt.toISOString(),
    postings: transaction.postings
      .filter((posting) => !posting.amount.isZero())
      .map((posting) => ({ ledger_account: posting.code, amount: formatAmount(posting.amount) })),
    details: transaction.details,
  };
}
