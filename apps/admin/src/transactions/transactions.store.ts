import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CreditPools } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';
import type { ProjectedTransaction } from './transaction-projection';

export interface TransactionRow {
  transaction_id: string;
  kind: string;
  amount: string;
  posted_at: Date;
  funding_allowance: string | null;
  funding_credit: string | null;
  funding_bonus: string | null;
  funding_overage: string | null;
}

/** Where a page starts: after this (posted_at, transaction_id), newest first. */
export interface TransactionPosition {
  readonly posted_at: string;
  readonly transaction_id: string;
}

export interface TransactionFilter {
  readonly kind?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}

const COLUMNS = `transaction_id, kind, amount, posted_at, funding_allowance, funding_credit,
  funding_bonus, funding_overage`;

/** Posted transactions of accounts (for listing) and each account's credit split. */
@Injectable()
export class TransactionsStore {
  /**
   * Stores projected transactions. A transaction stored before makes the insert fail: the
   * consumer asked `projectedIds` first, so that is another instance applying the same slice,
   * and this one's slice rolls back (it is delivered again and finds it applied).
   */
  async insert(manager: EntityManager, rows: readonly ProjectedTransaction[]): Promise<void> {
    if (rows.length === 0) return;
    const funding = (pick: (f: NonNullable<ProjectedTransaction['funding']>) => Decimal) =>
      rows.map((row) => (row.funding ? pick(row.funding).toFixed() : null));
    await manager.query(
      `INSERT INTO transactions (account_id, transaction_id, kind, amount, occurred_at, posted_at,
         funding_allowance, funding_credit, funding_bonus, funding_overage)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::timestamptz[],
         $6::timestamptz[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[])`,
      [
        rows.map((row) => row.accountId),
        rows.map((row) => row.transactionId),
        rows.map((row) => row.kind),
        rows.map((row) => row.amount.toFixed()),
        rows.map((row) => row.occurredAt),
        rows.map((row) => row.postedAt),
        funding((f) => f.allowance),
        funding((f) => f.credit),
        funding((f) => f.bonus),
        funding((f) => f.overage),
      ],
    );
  }

  /** The ids among these transactions admin has projected before. */
  async projectedIds(
    manager: EntityManager,
    transactions: ReadonlyArray<{ account_id: string; transaction_id: string }>,
  ): Promise<Set<string>> {
    if (transactions.length === 0) return new Set();
    const rows: Array<{ transaction_id: string }> = await manager.query(
      `SELECT t.transaction_id FROM transactions t
       JOIN unnest($1::text[], $2::text[]) AS k(account_id, transaction_id)
         ON t.account_id = k.account_id AND t.transaction_id = k.transaction_id`,
      [
        transactions.map((transaction) => transaction.account_id),
        transactions.map((transaction) => transaction.transaction_id),
      ],
    );
    return new Set(rows.map((row) => row.transaction_id));
  }

  /** Newest first; one row more than `limit` says there is a next page. */
  async list(
    manager: EntityManager,
    accountId: string,
    filter: TransactionFilter,
    page: { after?: TransactionPosition | undefined; limit: number },
  ): Promise<TransactionRow[]> {
    return manager.query(
      `SELECT ${COLUMNS} FROM transactions
       WHERE account_id = $1
         AND ($2::text IS NULL OR kind = $2)
         AND ($3::timestamptz IS NULL OR posted_at >= $3)
         AND ($4::timestamptz IS NULL OR posted_at < $4)
         AND ($5::timestamptz IS NULL OR (posted_at, transaction_id) < ($5::timestamptz, $6::text))
       ORDER BY posted_at DESC, transaction_id DESC
       LIMIT $7`,
      [
        accountId,
        filter.kind ?? null,
        filter.from ?? null,
        filter.to ?? null,
        page.after?.posted_at ?? null,
        page.after?.transaction_id ?? null,
        page.limit + 1,
      ],
    );
  }

  async find(
    manager: EntityManager,
    accountId: string,
    transactionId: string,
  ): Promise<TransactionRow | undefined> {
    const [row]: TransactionRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM transactions WHERE account_id = $1 AND transaction_id = $2`,
      [accountId, transactionId],
    );
    return row;
  }

  /** The credit split of the accounts, locked for the transaction (missing accounts: empty pools). */
  async lockPools(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, CreditPools>> {
    const ids = [...new Set(accountIds)].sort();
    const rows: Array<{ account_id: string; paid: string; bonus: string }> = await manager.query(
      `SELECT account_id, paid, bonus FROM credit_pools
       WHERE account_id = ANY($1::text[])
       ORDER BY account_id
       FOR UPDATE`,
      [ids],
    );
    return new Map(
      rows.map((row) => [
        row.account_id,
        { paid: new Decimal(row.paid), bonus: new Decimal(row.bonus) },
      ]),
    );
  }

  async savePools(manager: EntityManager, pools: ReadonlyMap<string, CreditPools>): Promise<void> {
    if (pools.size === 0) return;
    const entries = [...pools.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await manager.query(
      `INSERT INTO credit_pools (account_id, paid, bonus)
       SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[])
       ON CONFLICT (account_id) DO UPDATE SET paid = EXCLUDED.paid, bonus = EXCLUDED.bonus`,
      [
        entries.map(([accountId]) => accountId),
        entries.map(([, p]) => p.paid.toFixed()),
        entries.map(([, p]) => p.bonus.toFixed()),
      ],
    );
  }
}
