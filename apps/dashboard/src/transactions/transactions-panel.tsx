import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSignedIn } from '../api/api-context';
import { TRANSACTION_KINDS } from '../api/api.types';
import { formatInstant } from '../format/dates';
import { parseAmount } from '../format/money';
import { Empty, Failure, Loading, Panel } from '../ui/layout';
import { Money } from '../ui/money';
import { useMorePages } from '../ui/more-pages';
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
  const [busy, setBusy] = useState<'csv' | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const filter = toTransactionFilter(applied);
  const [first, reload] = useAsync(
    () => api.transactions(accountId, filter),
    `transactions:${accountId}:${JSON.stringify(filter)}`,
  );
  // Further pages follow the first page of the filter they were asked under: one answered
  // after the filter changed is never listed under the new one.
  const more = useMorePages(first.status === 'done' ? first.value : undefined, (cursor) =>
    api.transactions(accountId, filter, cursor),
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const invalid = filterProblem(draft);
    setProblem(invalid ? new Error(invalid) : null);
    if (invalid) return;
    setApplied(draft);
  };

  const transactions = more.items;
  const nextCursor = more.nextCursor;

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
            setProblem(null);
          }}
        >
          Clear
        </button>
      </form>
      {problem ? <Failure error={problem} /> : null}
      {first.status === 'loading' ? <Loading what="transactions" /> : null}
      {first.status === 'failed' ? <Failure error={first.error} onRetry={reload} /> : null}
      {typeof more.state === 'object' ? (
        <Failure error={more.state.error} onRetry={more.loadMore} />
      ) : null}
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
          <button type="button" onClick={more.loadMore} disabled={more.state === 'loading'}>
            {more.state === 'loading' ? 'Loading…' : 'Load more'}
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
