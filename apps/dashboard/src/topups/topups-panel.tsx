import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSignedIn } from '../api/api-context';
import type { Checkout } from '../api/api.types';
import { formatInstant } from '../format/dates';
import { parseAmount } from '../format/money';
import { Empty, Failure, Loading, Panel } from '../ui/layout';
import { Money } from '../ui/money';
import { LoadMore, useMorePages } from '../ui/more-pages';
import { useAsync } from '../ui/use-async';
import { loadTopupHistory, moreTopupHistory } from './topup-history';

/** Credit purchases (manual and automatic) and a button that opens a Stripe Checkout. */
export function TopupsPanel({ accountId }: { accountId: string }) {
  const { api } = useSignedIn();
  const [history, reload] = useAsync(() => loadTopupHistory(api, accountId), `topups:${accountId}`);
  const loaded = history.status === 'done' ? history.value : undefined;
  const more = useMorePages(loaded?.page, (cursor) =>
    moreTopupHistory(api, accountId, cursor, loaded?.fallbackReason !== undefined),
  );
  const [amount, setAmount] = useState('30');
  const [checkout, setCheckout] = useState<
    | { state: 'idle' }
    | { state: 'busy' }
    | { state: 'ready'; checkout: Checkout }
    | { state: 'failed'; error: unknown }
  >({ state: 'idle' });

  const start = (event: FormEvent) => {
    event.preventDefault();
    const paid = parseAmount(amount.trim());
    if (paid === undefined || !paid.isPositive() || paid.isZero()) {
      setCheckout({
        state: 'failed',
        error: new Error('Enter an amount above zero, like 30 or 12.50.'),
      });
      return;
    }
    setCheckout({ state: 'busy' });
    api.checkout(accountId, amount.trim(), window.location.href).then(
      (answer) => setCheckout({ state: 'ready', checkout: answer }),
      (error: unknown) => setCheckout({ state: 'failed', error }),
    );
  };

  return (
    <Panel title="Top-ups" name="topups" wide>
      <form className="checkout" onSubmit={start} aria-label="Buy credit">
        <label>
          Pay
          <input
            name="amount_paid"
            inputMode="decimal"
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            aria-label="Amount to pay"
          />
        </label>
        <button type="submit" disabled={checkout.state === 'busy'}>
          {checkout.state === 'busy' ? 'Opening checkout…' : 'Buy credit'}
        </button>
        {checkout.state === 'ready' ? (
          <span className="checkout-ready" data-checkout="ready">
            {checkout.checkout.credit_amount ? (
              <>
                <Money value={checkout.checkout.credit_amount} /> of credit for{' '}
                <Money
                  value={checkout.checkout.paid_amount}
                  currency={checkout.checkout.paid_currency}
                />
                {' · '}
              </>
            ) : null}
            {checkout.checkout.dry_run ? <span className="muted">dry run · </span> : null}
            <a href={checkout.checkout.checkout_url} target="_blank" rel="noopener noreferrer">
              Continue to payment ↗
            </a>
          </span>
        ) : null}
      </form>
      {checkout.state === 'failed' ? <Failure error={checkout.error} /> : null}
      {history.status === 'loading' ? <Loading what="top-ups" /> : null}
      {history.status === 'failed' ? <Failure error={history.error} onRetry={reload} /> : null}
      {history.status === 'done' && history.value.fallbackReason ? (
        <div className="note" data-note="topups-fallback">
          The top-up service did not answer ({history.value.fallbackReason}): these are the payments
          admin recorded from payments.events; checkouts still open are not among them.
        </div>
      ) : null}
      {history.status === 'done' && more.items.length === 0 ? <Empty>No top-ups yet.</Empty> : null}
      {more.items.length > 0 ? (
        <div className="table-scroll">
          <table className="table" data-table="topups">
            <thead>
              <tr>
                <th>When (UTC)</th>
                <th>Kind</th>
                <th>Status</th>
                <th className="number">Credit</th>
                <th className="number">Paid</th>
                <th>Stripe reference</th>
              </tr>
            </thead>
            <tbody>
              {more.items.map((entry) => (
                <tr key={entry.id} data-kind={entry.kind}>
                  <td className="nowrap">{formatInstant(entry.at)}</td>
                  <td>
                    {entry.kind.replace(/_/g, ' ')}
                    {entry.trigger ? <span className="muted small"> · {entry.trigger}</span> : null}
                  </td>
                  <td>
                    <span className={`status status-${statusClass(entry.status)}`}>
                      {entry.status ?? '—'}
                    </span>
                  </td>
                  <td className="number" data-cell="credit">
                    <Money value={entry.credit_amount} />
                  </td>
                  <td className="number" data-cell="paid">
                    <Money value={entry.paid_amount} currency={entry.paid_currency} />
                  </td>
                  <td className="mono small">{entry.stripe_ref || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore more={more} />
    </Panel>
  );
}

const GOOD_STATUSES = new Set(['succeeded', 'paid', 'completed', 'credited']);
const BAD_STATUSES = new Set(['failed', 'refunded', 'canceled']);

function statusClass(status: string | undefined): string {
  if (status !== undefined && GOOD_STATUSES.has(status)) return 'good';
  if (status !== undefined && BAD_STATUSES.has(status)) return 'bad';
  return 'neutral';
}
