import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSignedIn } from '../api/api-context';
import type { Page, Transaction } from '../api/api.types';
import { TRANSACTION_KINDS } from '../api/api.types';
import { formatInstant } from '../format/dates';
import { parseAmount } from '../format/money';
import { Empty, Failure, Loading, Panel } from '../ui/layout';
import { Money } from '../ui/money';
import { useAsync } from '../ui/use-async';
import {
  EMPTY_FILTER,
  csvFileName,
  filterProblem,
  toTransactionFilter,
} from './transaction-filter';
import type { FilterForm } from './transaction-filter';

/** How a usage was paid for (the API's funding split), with the words an operator uses. */
const FUNDING_PARTS = [
  ['allowance', 'Allowance'],
  ['credit', 'Paid credit'],
  ['bonus', 'Granted credit'],
  ['overage', 'Overage'],
] as const;

/** The account's transactions, filtered by kind and UTC days, paged by cursor, as CSV too. */
export function TransactionsPanel({
  accountId,
  currency,
}: {
  accountId: string;
  currency: string;
}) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState<FilterForm>(EMPTY_FILTER);
  const [applied, setApplied] = useState<FilterForm>(EMPTY_FILTER);
  const [pages, setPages] = useState<Page<Transaction>[]>([]);
  const [busy, setBusy] = useState<'more' | 'csv' | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const filter = toTransactionFilter(applied);
  const [first, reload] = useAsync(
    () => api.transactions(accountId, filter),
    `transactions:${accountId}:${JSON.stringify(filter)}`,
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const invalid = filterProblem(draft);
    setProblem(invalid ? new Error(invalid) : null);
    if (invalid) return;
    setPages([]);
    setApplied(draft);
  };

  const loaded = first.status === 'done' ? [first.value, ...pages] : [];
  const transactions = loaded.flatMap((page) => page.items);
  const nextCursor = loaded[loaded.length - 1]?.next_cursor ?? null;

  const loadMore = () => {
    setBusy('more');
    api.transactions(accountId, filter, nextCursor).then(
      (page) => {
        setPages((previous) => [...previous, page]);
        setBusy(null);
      },
      (error: unknown) => {
        setProblem(error);
        setBusy(null);
      },
    );
  };

  const downloadCsv = () => {
    setBusy('csv');
    api.download(api.transactionsCsvPath(accountId, filter)).then(
      (blob) => {
        saveBlob(blob, csvFileName(accountId, applied));
        setBusy(null);
      },
      (error: unknown) => {
        setProblem(error);
        setBusy(null);
      },
    );
  };

  return (
    <Panel
      title="Transactions"
      name="transactions"
      wide
      actions={
        <button type="button" className="secondary" onClick={downloadCsv} disabled={busy === 'csv'}>
          {busy === 'csv' ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      }
    >
      <form className="filters" onSubmit={apply} aria-label="Filter transactions">
        <label>
          Kind
          <select
            name="kind"
            value={draft.kind}
            onChange={(event) => setDraft({ ...draft, kind: event.target.value })}
          >
            <option value="">all kinds</option>
            {TRANSACTION_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (UTC)
          <input
            type="date"
            name="from"
            value={draft.fromDay}
            onChange={(event) => setDraft({ ...draft, fromDay: event.target.value })}
          />
        </label>
        <label>
          To (UTC)
          <input
            type="date"
            name="to"
            value={draft.toDay}
            onChange={(event) => setDraft({ ...draft, toDay: event.target.value })}
          />
        </label>
        <button type="submit">Apply</button>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setDraft(EMPTY_FILTER);
            setApplied(EMPTY_FILTER);
            setPages([]);
            setProblem(null);
          }}
        >
          Clear
        </button>
      </form>
      {problem ? <Failure error={problem} /> : null}
      {first.status === 'loading' ? <Loading what="transactions" /> : null}
      {first.status === 'failed' ? <Failure error={first.error} onRetry={reload} /> : null}
      {first.status === 'done' && transactions.length === 0 ? (
        <Empty>
          No transactions{sameFilter(applied, EMPTY_FILTER) ? '' : ' match this filter'}.
        </Empty>
      ) : null}
      {transactions.length > 0 ? (
        <div className="table-scroll">
          <table className="table" data-table="transactions">
            <thead>
              <tr>
                <th>Posted (UTC)</th>
                <th>Kind</th>
                <th className="number">Amount</th>
                {FUNDING_PARTS.map(([part, label]) => (
                  <th key={part} className="number funding" title={`funding.${part}`}>
                    {label}
                  </th>
                ))}
                <th>Transaction</th>
              </tr>
            </thead>
            <tbody>
              {transactions.map((transaction) => (
                <tr key={transaction.transaction_id} data-kind={transaction.kind}>
                  <td className="nowrap">{formatInstant(transaction.posted_at)}</td>
                  <td>
                    <span className={`kind kind-${kindClass(transaction.kind)}`}>
                      {transaction.kind.replace(/_/g, ' ')}
                    </span>
                    {transaction.reason ? (
                      <div className="muted small">{transaction.reason}</div>
                    ) : null}
                  </td>
                  <td className="number" data-cell="amount">
                    <Money value={transaction.amount} currency={currency} />
                  </td>
                  {FUNDING_PARTS.map(([part]) => (
                    <td key={part} className="number funding" data-cell={`funding-${part}`}>
                      {isZero(transaction.funding?.[part]) ? (
                        <span className="muted">·</span>
                      ) : (
                        <Money value={transaction.funding?.[part]} currency={currency} />
                      )}
                    </td>
                  ))}
                  <td className="mono small" data-cell="transaction">
                    {transaction.transaction_id}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="table-footer">
        <span className="muted">
          {transactions.length} shown{nextCursor ? ', more available' : ''}
        </span>
        {nextCursor ? (
          <button type="button" onClick={loadMore} disabled={busy === 'more'}>
            {busy === 'more' ? 'Loading…' : 'Load more'}
          </button>
        ) : null}
      </div>
    </Panel>
  );
}

const isZero = (value: unknown) => {
  const amount = parseAmount(value);
  return amount === undefined || amount.isZero();
};

const kindClass = (kind: string) =>
  (TRANSACTION_KINDS as readonly string[]).includes(kind) ? kind : 'other';

/** Hands a Blob to the browser as a download without navigating away. */
function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const sameFilter = (a: FilterForm, b: FilterForm) =>
  a.kind === b.kind && a.fromDay === b.fromDay && a.toDay === b.toDay;
