import { useMemo, useState } from 'react';
import { useSignedIn } from '../api/api-context';
import type { Account, BudgetStatus } from '../api/api.types';
import { AlertsPanel } from '../alerts/alerts-panel';
import { dayWindow, formatInstant } from '../format/dates';
import { formatPercent } from '../format/money';
import { dailySpend, spendBy } from '../format/series';
import { routeHref } from '../route';
import { TopupsPanel } from '../topups/topups-panel';
import { TransactionsPanel } from '../transactions/transactions-panel';
import { AlertBadge } from '../ui/alert-badge';
import { Empty, Failure, Kpi, Loading, Panel } from '../ui/layout';
import { Money } from '../ui/money';
import { useAsync } from '../ui/use-async';
import type { AsyncState } from '../ui/use-async';
import { accountFigures } from './account-figures';
import { BudgetGauge, SpendByModel, SpendOverTime } from './spend-charts';

const CHART_DAYS = 30;

/**
 * One account: where its money stands, where it went, and what happened to it. Each part
 * loads on its own, so a slow or failing one leaves the others readable.
 */
export function AccountPage({ accountId }: { accountId: string }) {
  const { api, session } = useSignedIn();
  const [refreshes, setRefreshes] = useState(0);
  const [account, reloadAccount] = useAsync(
    () => api.account(accountId),
    `account:${accountId}:${refreshes}`,
  );
  const [status, reloadStatus] = useAsync(
    () => api.budgetStatus(accountId),
    `status:${accountId}:${refreshes}`,
  );

  if (account.status === 'loading') return <Loading what="the account" />;
  if (account.status === 'failed') return <Failure error={account.error} onRetry={reloadAccount} />;
  const view = account.value;
  const currency = view.currency ?? 'USD';
  const figures = accountFigures(view);
  const budget = status.status === 'done' ? status.value : undefined;

  return (
    <div className="account-page" data-account-id={view.account_id}>
      <header className="page-header">
        <div>
          {session.role === 'admin' ? (
            <a className="back-link" href={routeHref({ page: 'accounts' })}>
              ← All accounts
            </a>
          ) : null}
          <h1 className="account-title">{view.name || view.account_id}</h1>
          <div className="page-subtitle">
            <span className="account-id">{view.account_id}</span>
            <span>{currency}</span>
            {view.tier ? <span>plan {view.tier}</span> : null}
            <Period status={budget} account={view} />
          </div>
        </div>
        <div className="page-header-status">
          <AlertBadge level={budget?.alert_level ?? figures.alertLevel} />
          {budget?.recommended_strategy ? (
            <span className="strategy">{budget.recommended_strategy.replace(/_/g, ' ')}</span>
          ) : null}
          <button
            type="button"
            className="secondary"
            onClick={() => setRefreshes((count) => count + 1)}
          >
            Refresh
          </button>
        </div>
      </header>

      {status.status === 'failed' ? <Failure error={status.error} onRetry={reloadStatus} /> : null}
      <Figures status={status} account={view} currency={currency} />

      <SpendPanels
        key={refreshes}
        accountId={view.account_id}
        currency={currency}
        availablePercent={budget?.available_percent ?? figures.availablePercent}
        budget={budget}
      />

      <TransactionsPanel
        key={`transactions-${refreshes}`}
        accountId={view.account_id}
        currency={currency}
      />
      <TopupsPanel key={`topups-${refreshes}`} accountId={view.account_id} />
    </div>
  );
}

function Period({ status, account }: { status?: BudgetStatus; account: Account }) {
  const snapshot = typeof account.balance === 'object' ? account.balance : null;
  const period = status?.period ?? snapshot?.period;
  if (!period?.start) return null;
  return (
    <span>
      period {formatInstant(period.start)} → {period.end ? formatInstant(period.end) : 'open'}
    </span>
  );
}

/**
 * The budget status's figures; the balance snapshot's while the status loads or fails, saying
 * so and when it was recorded, so that a figure the ledger did not confirm never reads as live.
 */
function Figures({
  status,
  account,
  currency,
}: {
  status: AsyncState<BudgetStatus>;
  account: Account;
  currency: string;
}) {
  const figures = accountFigures(account);
  const live = status.status === 'done';
  const budget: BudgetStatus = live
    ? status.value
    : {
        available: figures.available,
        used: figures.used,
        available_percent: figures.availablePercent,
      };
  return (
    <div className="kpis" data-source={live ? 'status' : 'balance'}>
      {live ? null : (
        <div className="note kpis-note" role="status">
          {snapshotNote(account, status.status === 'loading')}
        </div>
      )}
      <Kpi
        label="Available"
        name="available"
        hint={`${formatPercent(budget.available_percent)} of funds`}
      >
        <Money value={budget.available} currency={currency} />
      </Kpi>
      <Kpi label="Used this period" name="used">
        <Money value={budget.used} currency={currency} />
      </Kpi>
      <Kpi label="Allowance left" name="remaining">
        <Money value={budget.remaining} currency={currency} />
      </Kpi>
      <Kpi label="Prepaid credit" name="extra-credit">
        <Money value={budget.extra_credit_remaining} currency={currency} />
      </Kpi>
      <Kpi
        label="Projected period cost"
        name="projected"
        hint={
          typeof budget.days_remaining === 'number'
            ? `${budget.days_remaining} days left`
            : undefined
        }
      >
        <Money value={budget.projected_period_cost} currency={currency} />
      </Kpi>
      <Kpi
        label="Overage"
        name="overage"
        hint={budget.over_hard_limit ? 'over the hard limit' : undefined}
      >
        <Money value={budget.overage} currency={currency} />
      </Kpi>
    </div>
  );
}

function snapshotNote(account: Account, loading: boolean): string {
  const recordedAt = typeof account.balance === 'object' ? account.balance?.at : undefined;
  const recorded = recordedAt
    ? `Last balance recorded, ${formatInstant(recordedAt)}`
    : 'No balance recorded yet';
  return `${recorded}: ${loading ? "loading the ledger's live status…" : "the ledger's live status did not load."}`;
}

function SpendPanels({
  accountId,
  currency,
  availablePercent,
  budget,
}: {
  accountId: string;
  currency: string;
  availablePercent: number | undefined;
  budget: BudgetStatus | undefined;
}) {
  const { api } = useSignedIn();
  const { days, from } = useMemo(() => dayWindow(CHART_DAYS, new Date()), []);
  const [byDay, reloadByDay] = useAsync(
    () => api.usage(accountId, 'day', from),
    `usage-day:${accountId}`,
  );
  const [byModel, reloadByModel] = useAsync(
    () => api.usage(accountId, 'model', from),
    `usage-model:${accountId}`,
  );
  const points = useMemo(
    () => (byDay.status === 'done' ? dailySpend(byDay.value, days) : []),
    [byDay, days],
  );
  const models = useMemo(
    () => (byModel.status === 'done' ? spendBy(byModel.value, (row) => row.model) : []),
    [byModel],
  );

  return (
    <>
      <div className="grid grid-2-1">
        <Panel title={`Spend over the last ${CHART_DAYS} days`} name="spend-over-time">
          {byDay.status === 'loading' ? <Loading what="spend" /> : null}
          {byDay.status === 'failed' ? <Failure error={byDay.error} onRetry={reloadByDay} /> : null}
          {byDay.status === 'done' ? <SpendOverTime points={points} currency={currency} /> : null}
        </Panel>
        <Panel title="Budget" name="budget">
          <BudgetGauge availablePercent={availablePercent} />
          <div className="gauge-legend">
            {budget?.over_soft_limit ? <span className="warning">over the soft limit</span> : null}
            {budget?.over_hard_limit ? <span className="danger">over the hard limit</span> : null}
          </div>
        </Panel>
      </div>

      <div className="grid grid-1-1">
        <Panel title={`Spend by model, last ${CHART_DAYS} days`} name="spend-by-model">
          {byModel.status === 'loading' ? <Loading what="spend by model" /> : null}
          {byModel.status === 'failed' ? (
            <Failure error={byModel.error} onRetry={reloadByModel} />
          ) : null}
          {byModel.status === 'done' && byModel.value.length === 0 ? (
            <Empty>No usage in the last {CHART_DAYS} days.</Empty>
          ) : null}
          {byModel.status === 'done' && byModel.value.length > 0 ? (
            <SpendByModel spend={models} currency={currency} />
          ) : null}
        </Panel>
        <AlertsPanel accountId={accountId} />
      </div>
    </>
  );
}
