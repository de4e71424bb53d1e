import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { AccountsService } from '../accounts/accounts.service';
import { csvAmount, csvRecord, csvText } from '../http/csv';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentAmount, presentInstant } from '../http/present';
import { CSV_COLUMNS } from './dtos/transaction.dto';
import type {
  ExportTransactionsQuery,
  ListTransactionsQuery,
  TransactionView,
} from './dtos/transaction.dto';
import { TransactionsStore } from './transactions.store';
import type { TransactionFilter, TransactionPosition, TransactionRow } from './transactions.store';

const position = z.object({ posted_at: z.iso.datetime(), transaction_id: z.string().min(1) });
/** Rows per query while a CSV export streams. */
const EXPORT_PAGE = 1000;

/** An account's posted transactions, from admin's projection of ledger.transactions. */
@Injectable()
export class TransactionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly store: TransactionsStore,
  ) {}

  async list(accountId: string, query: ListTransactionsQuery): Promise<Page<TransactionView>> {
    await this.accounts.require(accountId);
    const after = positionAfter(query.cursor, position);
    const rows = await this.store.list(this.dataSource.manager, accountId, query, {
      after,
      limit: query.limit,
    });
    return pageOf(rows, query.limit, presentTransaction, positionOf);
  }

  /** The transaction as listed, once admin has projected it (undefined before). */
  async find(accountId: string, transactionId: string): Promise<TransactionView | undefined> {
    const row = await this.store.find(this.dataSource.manager, accountId, transactionId);
    return row && presentTransaction(row);
  }

  /**
   * The CSV export, a line at a time: the header, then every transaction the filters select,
   * newest first, read a page at a time so that memory stays flat whatever the account holds.
   */
  async exportCsv(
    accountId: string,
    query: ExportTransactionsQuery,
  ): Promise<AsyncIterable<string>> {
    await this.accounts.require(accountId);
    return this.csvLines(accountId, query);
  }

  private async *csvLines(accountId: string, filter: TransactionFilter): AsyncGenerator<string> {
    yield csvRecord(CSV_COLUMNS.map(csvText));
    let after: TransactionPosition | undefined;
    for (;;) {
      const rows = await this.store.list(this.dataSource.manager, accountId, filter, {
        after,
        limit: EXPORT_PAGE,
      });
      const page = rows.slice(0, EXPORT_PAGE);
      if (page.length > 0) yield page.map((row) => csvLine(presentTransaction(row))).join('');
      const last = page[page.length - 1];
      if (rows.length <= EXPORT_PAGE || !last) return;
      after = positionOf(last);
    }
  }
}

function positionOf(row: TransactionRow): TransactionPosition {
  return { posted_at: presentInstant(row.posted_at), transaction_id: row.transaction_id };
}

function presentTransaction(row: TransactionRow): TransactionView {
  return {
    transaction_id: row.transaction_id,
    kind: row.kind,
    amount: presentAmount(row.amount),
    posted_at: presentInstant(row.posted_at),
    funding:
      row.funding_allowance === null
        ? null
        : {
            allowance: presentAmount(row.funding_allowance),
            credit: presentAmount(row.funding_credit ?? '0'),
            bonus: presentAmount(row.funding_bonus ?? '0'),
            overage: presentAmount(row.funding_overage ?? '0'),
          },
  };
}

function csvLine(transaction: TransactionView): string {
  const funding = transaction.funding;
  const amount = (value: string | undefined) => (value === undefined ? '' : csvAmount(value));
  return csvRecord([
    csvText(transaction.transaction_id),
    csvText(transaction.kind),
    csvAmount(transaction.amount),
    csvText(transaction.posted_at),
    amount(funding?.allowance),
    amount(funding?.credit),
    amount(funding?.bonus),
    amount(funding?.overage),
  ]);
}
