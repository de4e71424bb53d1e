import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { Topics, formatAmount } from '@tally/budget-domain';
import type { LedgerTransaction } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { AnnouncedHoldsStore } from './announced-holds.store';
import { balanceSnapshot } from './balance-snapshot';
import { BooksException, BooksExceptionCode } from './books.exception';
import { accountBudgetOf, keyBudgetOf, rollBudgets } from './budget-periods';
import { BudgetStore } from './budget.store';
import type { StoredBudget } from './budget.store';
import { LedgerStore } from './ledger.store';
import type { Balances, LockedAccount, NewTransaction, OpenedBy } from './ledger.store';

const ZERO = new Decimal(0);

/**
 * The books of the accounts one transaction moves money in, locked for it: balances as the
 * transactions recorded so far left them, and budgets in the period `now` falls in.
 */
export class OpenBooks {
  private readonly recorded: NewTransaction[] = [];

  constructor(
    private readonly accounts: ReadonlyMap<string, LockedAccount>,
    readonly budgets: StoredBudget[],
  ) {}

  /** The account's balances, moved by every transaction recorded so far. */
  balancesOf(accountId: string): Balances {
    return this.account(accountId).balances;
  }

  accountBudget(accountId: string): StoredBudget | undefined {
    return accountBudgetOf(this.budgets, accountId);
  }

  keyBudget(accountId: string, apiKeyId: string | null): StoredBudget | undefined {
    return keyBudgetOf(this.budgets, accountId, apiKeyId);
  }

  /** A budget set in this transaction; it is saved with the others. */
  addBudget(budget: StoredBudget): void {
    this.budgets.push(budget);
  }

  /** Applies the transaction's postings to the balances; it is posted when the build ends. */
  record(transaction: NewTransaction): void {
    const balances = this.balancesOf(transaction.accountId);
    for (const posting of transaction.postings) {
      balances.set(posting.code, (balances.get(posting.code) ?? ZERO).plus(posting.amount));
    }
    this.recorded.push(transaction);
  }

  get transactions(): readonly NewTransaction[] {
    return this.recorded;
  }

  account(accountId: string): LockedAccount {
    const found = this.accounts.get(accountId);
    if (!found) throw new Error(`the books of ${accountId} are not open in this transaction`);
    return found;
  }
}

export interface TransactRequest {
  readonly accountIds: readonly string[];
  readonly now: Date;
  /** Opens the accounts that do not exist yet (usage and payments may name a new one); otherwise an unknown account is refused. */
  readonly open?: OpenedBy;
}

/** What a balance announcement names as its cause: the last transaction posted, or what changed without one. */
interface Cause {
  readonly transactionId: string;
  readonly kind: string;
}

/**
 * The cause of an announcement made because the account's live holds changed since its last
 * one (released, expired or placed), with no transaction posted: none to name (ADR 0102).
 */
export const HOLDS_CHANGED: Cause = { transactionId: '', kind: 'holds_changed' };

/**
 * The cause of an announcement made because a budget of the account entered a new period and
 * no transaction was posted for it (a key budget's reset posts nothing; ADR 0110).
 */
export const PERIOD_STARTED: Cause = { transactionId: '', kind: 'period_started' };

/**
 * The one way money moves (DESIGN 4, Ledger). `transact` locks the accounts' balances and
 * budgets, posts the period resets that are due, lets `build` record transactions against
 * the live balances, then posts them all and announces them: ledger.transactions for each,
 * ledger.balance-changed once per account, its state after all of them.
 */
@Injectable()
export class Books {
  constructor(
    private readonly store: LedgerStore,
    private readonly budgets: BudgetStore,
    private readonly announcedHolds: AnnouncedHoldsStore,
  ) {}

  transact<R>(
    tx: OutboxTransaction,
    request: TransactRequest,
    build: (books: OpenBooks) => R | Promise<R>,
  ): Promise<R> {
    return this.run(tx, request, build);
  }

  /**
   * Announces again those of these accounts whose live holds differ from what their last
   * announcement subtracted (a hold released or expired since, ADR 0102), in a transaction of
   * the books that posts nothing but the resets that came due; returns the accounts announced.
   */
  async announceHolds(
    tx: OutboxTransaction,
    accountIds: readonly string[],
    now: Date,
  ): Promise<string[]> {
    const sorted = [...new Set(accountIds)].sort();
    // Every announcing transaction locks the balances first: none can announce these accounts
    // before this one commits, so those found stale under the locks are stale when announced.
    await this.store.lockBalances(tx.manager, sorted);
    const stale = await this.announcedHolds.staleAmong(tx.manager, sorted, now);
    if (stale.length > 0)
      await this.run(tx, { accountIds: stale, now }, () => undefined, HOLDS_CHANGED);
    return stale;
  }

  /**
   * Posts the resets that came due for these accounts and announces their new periods, in a
   * transaction of the books that posts nothing else (ADR 0110). An account another
   * transaction has rolled since it was found is not announced again.
   */
  startPeriods(tx: OutboxTransaction, accountIds: readonly string[], now: Date): Promise<void> {
    return this.run(tx, { accountIds, now }, () => undefined);
  }

  /** `transact`, announcing every account with `holdsChanged` as the cause when nothing was posted for it. */
  private async run<R>(
    tx: OutboxTransaction,
    request: TransactRequest,
    build: (books: OpenBooks) => R | Promise<R>,
    holdsChanged?: Cause,
  ): Promise<R> {
    const { manager } = tx;
    const accountIds = [...new Set(request.accountIds)].sort();
    if (request.open) await this.store.openAccounts(manager, accountIds, request.open);
    const accounts = await this.store.lockBalances(manager, accountIds);
    const missing = accountIds.find((accountId) => !accounts.has(accountId));
    if (missing) {
      throw new BooksException(BooksExceptionCode.ACCOUNT_NOT_FOUND, `no account ${missing}`);
    }
    // Whatever `build` changes (balances, budgets, the month, the plan, coupons), an
    // authorization's kept facts of these accounts must not outlive it.
    const sequences = await this.store.moveFactsVersions(manager, accountIds);
    const books = new OpenBooks(accounts, await this.budgets.lock(manager, accountIds));
    const opened = new Map(books.budgets.map((budget) => [budget, budget.state]));
    // A reset that came due is posted before anything else, so what follows is measured
    // against the right period.
    for (const reset of rollBudgets(books.budgets, request.now)) books.record(reset);
    // A new period changes the published figures even when the reset posted nothing.
    const periodStarted = books.budgets
      .filter((budget) => opened.get(budget) !== budget.state)
      .map((budget): [string, Cause] => [budget.accountId, PERIOD_STARTED]);
    const result = await build(books);
    await this.budgets.save(manager, books.budgets);
    await this.store.post(manager, books.transactions, request.now);
    // The last transaction posted for an account is its announcement's cause; an account whose
    // holds changed, or whose budget entered a new period, is announced even if none was.
    const causes = new Map<string, Cause>(
      holdsChanged ? accountIds.map((accountId) => [accountId, holdsChanged]) : periodStarted,
    );
    for (const transaction of books.transactions) causes.set(transaction.accountId, transaction);
    // Budget figures are replaced, never changed in place: a key budget whose figures this
    // transaction moved is announced beside its account, and every one when holds changed (each
    // subtracts its key's holds and is capped by its account).
    const keyBudgets = books.budgets.filter(
      (budget) =>
        budget.apiKeyId !== null &&
        causes.has(budget.accountId) &&
        (holdsChanged !== undefined || opened.get(budget) !== budget.state),
    );
    await this.announce(tx, books, sequences, request.now, causes, keyBudgets);
    return result;
  }

  private async announce(
    tx: OutboxTransaction,
    books: OpenBooks,
    sequences: ReadonlyMap<string, number>,
    now: Date,
    causes: ReadonlyMap<string, Cause>,
    keyBudgets: readonly StoredBudget[],
  ): Promise<void> {
    for (const transaction of books.transactions) {
      tx.publish(
        Topics.LedgerTransactions,
        transaction.accountId,
        transactionRecord(transaction, now),
      );
    }
    if (causes.size === 0) return;
    // Read after the settlements, and kept as what these announcements subtract.
    const held = await this.announcedHolds.heldToAnnounce(
      tx.manager,
      {
        accountIds: [...causes.keys()],
        keys: keyBudgets.map((budget) => ({
          accountId: budget.accountId,
          apiKeyId: budget.apiKeyId ?? '',
        })),
      },
      now,
    );
    for (const [accountId, cause] of causes) {
      const sequence = sequences.get(accountId);
      if (sequence === undefined) throw new Error(`no facts version of ${accountId}`);
      const snapshot = {
        accountId,
        // The facts version this transaction moved: it grows with every announcement, even of
        // one that posts no amount (ADR 0059).
        sequence,
        balances: books.balancesOf(accountId),
        holds: held.accounts.get(accountId) ?? ZERO,
        cause,
        at: now,
        budget: books.accountBudget(accountId),
      };
      tx.publish(Topics.LedgerBalanceChanged, accountId, balanceSnapshot(snapshot));
      keyBudgets.forEach((budget, index) => {
        if (budget.accountId !== accountId) return;
        const key = { budget, held: held.keys[index] ?? ZERO };
        tx.publish(Topics.LedgerBalanceChanged, accountId, balanceSnapshot({ ...snapshot, key }));
      });
    }
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
    ...(transaction.lines
      ? {
          lines: transaction.lines.map((line) => ({
            usage_id: line.usageId,
            source: line.source,
            api_key_id: line.apiKeyId,
            service: line.service,
            provider: line.provider,
            model: line.model,
            occurred_at: line.occurredAt,
            tokens: line.tokens,
            cost: formatAmount(line.cost),
            markup: formatAmount(line.markup),
            discount: formatAmount(line.discount),
            charged: formatAmount(line.charged),
            reservation_id: line.reservationId,
            funding: {
              allowance: formatAmount(line.fromAllowance),
              credit: formatAmount(line.fromCredit),
              overage: formatAmount(line.toOverage),
            },
          })),
        }
      : {}),
  };
}
