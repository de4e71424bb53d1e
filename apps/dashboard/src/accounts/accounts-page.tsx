import { useMemo, useState } from 'react';
import { useSignedIn } from '../api/api-context';
import { ALERT_LEVELS } from '../api/api.types';
import type { Account, Page } from '../api/api.types';
import { dayWindow } from '../format/dates';
import { dailySpend } from '../format/series';
import { routeHref } from '../route';
import { AlertBadge } from '../ui/alert-badge';
import { Empty, Failure, Loading, Panel, failureText } from '../ui/layout';
import { Money } from '../ui/money';
import { useAsync } from '../ui/use-async';
import { accountFigures } from './account-figures';
import { ACCOUNT_ORDERS, orderAccounts } from './account-order';
import type { AccountOrder } from './account-order';
import { Sparkline } from './spend-charts';

const SPARKLINE_DAYS = 30;

/** Every account with its balance, alert level and last month of spend (admin tokens). */
export function AccountsPage() {
  const { api } = useSignedIn();
  const [pages, setPages] = useState<Page<Account>[]>([]);
  const [more, setMore] = useState<'idle' | 'loading' | { error: unknown }>('idle');
  const [filter, setFilter] = useState('');
  const [order, setOrder] = useState<AccountOrder>('urgent');
  const [first, reload] = useAsync(() => api.accounts(), 'accounts');

  if (first.status === 'loading') return <Loading what="accounts" />;
  if (first.status === 'failed') return <Failure error={first.error} onRetry={reload} />;

  const loaded = [first.value, ...pages];
  const accounts = loaded.flatMap((page) => page.items);
  const nextCursor = loaded[loaded.length - 1]?.next_cursor ?? null;
  const needle = filter.trim().toLowerCase();
  const shown = orderAccounts(
    needle
      ? accounts.filter((account) =>
          `${account.account_id} ${account.name ?? ''}`.toLowerCase().includes(needle),
        )
      : accounts,
    order,
  );

  const loadMore = () => {
    setMore('loading');
    api.accounts(nextCursor).then(
      (page) => {
        setPages((previous) => [...previous, page]);
        setMore('idle');
      },
      (error: unknown) => setMore({ error }),
    );
  };

  const levelCounts = ALERT_LEVELS.map(
    (level) =>
      [
        level,
        accounts.filter((account) => accountFigures(account).alertLevel === level).length,
      ] as const,
  ).filter(([, count]) => count > 0);

  return (
    <Panel
      title={`Accounts · ${accounts.length}${nextCursor ? '+' : ''}`}
      name="accounts"
      wide
      actions={
        <>
          <span className="level-counts" aria-label="Accounts by alert level">
            {levelCounts.map(([level, count]) => (
              <span key={level} className="level-count">
                <AlertBadge level={level} /> {count}
              </span>
            ))}
          </span>
          <select
            aria-label="Order accounts"
            name="order"
            value={order}
            onChange={(event) => setOrder(event.target.value as AccountOrder)}
          >
            {Object.entries(ACCOUNT_ORDERS).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
          <input
            type="search"
            className="search"
            placeholder="Filter by name or id"
            aria-label="Filter accounts"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </>
      }
    >
      {shown.length === 0 ? (
        <Empty>{accounts.length === 0 ? 'No accounts yet.' : 'No account matches.'}</Empty>
      ) : (
        <table className="table" data-table="accounts">
          <thead>
            <tr>
              <th>Account</th>
              <th>Alert level</th>
              <th className="number">Balance</th>
              <th className="number">Used this period</th>
              <th className="sparkline-cell">Spend, last {SPARKLINE_DAYS} days</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((account) => (
              <AccountRow key={account.account_id} account={account} />
            ))}
          </tbody>
        </table>
      )}
      {typeof more === 'object' ? <Failure error={more.error} onRetry={loadMore} /> : null}
      {nextCursor ? (
        <div className="table-footer">
          <button type="button" onClick={loadMore} disabled={more === 'loading'}>
            {more === 'loading' ? 'Loading…' : 'Load more accounts'}
          </button>
        </div>
      ) : null}
    </Panel>
  );
}

function AccountRow({ account }: { account: Account }) {
  const currency = account.currency ?? 'USD';
  const figures = accountFigures(account);
  return (
    <tr data-account-id={account.account_id}>
      <td>
        <a
          href={routeHref({ page: 'account', accountId: account.account_id })}
          className="account-link"
        >
          <span className="account-name">{account.name || account.account_id}</span>
          <span className="account-id">{account.account_id}</span>
        </a>
      </td>
      <td>
        <AlertBadge level={figures.alertLevel} />
      </td>
      <td className="number" data-cell="balance">
        <Money value={figures.available} currency={currency} />
      </td>
      <td className="number" data-cell="used">
        <Money value={figures.used} currency={currency} />
      </td>
      <td className="sparkline-cell">
        <AccountSparkline accountId={account.account_id} />
      </td>
    </tr>
  );
}

function AccountSparkline({ accountId }: { accountId: string }) {
  const { api } = useSignedIn();
  const { days, from } = useMemo(() => dayWindow(SPARKLINE_DAYS, new Date()), []);
  const [usage] = useAsync(() => api.usage(accountId, 'day', from), `sparkline:${accountId}`);
  const points = useMemo(
    () => (usage.status === 'done' ? dailySpend(usage.value, days) : []),
    [usage, days],
  );
  if (usage.status === 'loading') return <span className="sparkline-placeholder" />;
  // Not "no data": an account without spend draws a flat line; this one is unknown.
  if (usage.status === 'failed')
    return (
      <span className="muted small" data-sparkline="failed" title={failureText(usage.error)}>
        not loaded
      </span>
    );
  return <Sparkline points={points} />;
}
