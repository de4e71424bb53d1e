import { useMemo } from 'react';
import { useSignedIn } from '../api/api-context';
import type { Account, BudgetStatus, UsageRow } from '../api/api.types';
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
import { accountFigures } from './account-figures';
import { BudgetGauge, SpendByModel, SpendOverTime } from './spend-charts';

const CHART_DAYS = 30;

interface AccountView {
  account: Account;
  status: BudgetStatus;
  byDay: UsageRow[];
  byModel: UsageRow[];
}

/** One account: where its money stands, where it went, and what happened to it. */
export function AccountPage({ accountId }: { accountId: string }) {
  const { api, session } = useSignedIn();
  const { days, from } = useMemo(() => dayWindow(CHART_DAYS, new Date()), []);
  const [view, reload] = useAsync<AccountView>(async () => {
    const [account, status, byDay, byModel] = await Promise.all([
      api.account(accountId),
      api.budgetStatus(accountId),
      api.usage(accountId, 'day', from),
      api.usage(accountId, 'model', from),
    ]);
    return { account, status, byDay, byModel };
  }, `account:${accountId}`);

  if (view.status === 'loading') return <Loading what="the account" />;
  if (view.status === 'failed') return <Failure error={view.error} onRetry={reload} />;
  const { account, status, byDay, byModel } = view.value;
  const currency = account.currency ?? 'USD';
  const points = dailySpend(byDay, days);
  const models = spendBy(byModel, (row) => row.model);

  return (
    <div className="account-page" data-account-id={account.account_id}>
      <header className="page-header">
        <div>
          {session.role === 'admin' ? (
            <a className="back-link" href={routeHref({ page: 'accounts' })}>
              ← All accounts
            </a>
          ) : null}
          <h1 className="account-title">{account.name || account.account_id}</h1>
          <div className="page-subtitle">
            <span className="account-id">{account.account_id}</span>
            <span>{currency}</span>
            {account.tier ? <span>plan {account.tier}</span> : null}
            {status.period?.start ? (
              <span>
                period {formatInstant(status.period.start)} → {formatInstant(status.period.end)}
              </span>
            ) : null}
          </div>
        </div>
        <div className="page-header-status">
          <AlertBadge level={status.alert_level ?? accountFigures(account).alertLevel} />
          {status.recommended_strategy ? (
            <span className="strategy">{status.recommended_strategy.replace(/_/g, ' ')}</span>
          ) : null}
          <button type="button" className="secondary" onClick={reload}>
            Refresh
          </button>
        </div>
      </header>

      <div className="kpis">
        <Kpi
          label="Available"
          name="available"
          hint={`${formatPercent(status.available_percent)} of funds`}
        >
          <Money
            value={status.available ?? accountFigures(account).available}
            currency={currency}
          />
        </Kpi>
        <Kpi label="Used this period" name="used">
          <Money value={status.used} currency={currency} />
        </Kpi>
        <Kpi label="Allowance left" name="remaining">
          <Money value={status.remaining} currency={currency} />
        </Kpi>
        <Kpi label="Prepaid credit" name="extra-credit">
          <Money value={status.extra_credit_remaining} currency={currency} />
        </Kpi>
        <Kpi
          label="Projected period cost"
          name="projected"
          hint={
            status.days_remaining === undefined ? undefined : `${status.days_remaining} days left`
          }
        >
          <Money value={status.projected_period_cost} currency={currency} />
        </Kpi>
        <Kpi
          label="Overage"
          name="overage"
          hint={status.over_hard_limit ? 'over the hard limit' : undefined}
        >
          <Money value={status.overage} currency={currency} />
        </Kpi>
      </div>

      <div className="grid grid-2-1">
        <Panel title={`Spend over the last ${CHART_DAYS} days`} name="spend-over-time">
          <SpendOverTime points={points} currency={currency} />
        </Panel>
        <Panel title="Budget" name="budget">
          <BudgetGauge availablePercent={status.available_percent} />
          <div className="gauge-legend">
            {status.over_soft_limit ? <span className="warning">over the soft limit</span> : null}
            {status.over_hard_limit ? <span className="danger">over the hard limit</span> : null}
          </div>
        </Panel>
      </div>

      <div className="grid grid-1-1">
        <Panel title={`Spend by model, last ${CHART_DAYS} days`} name="spend-by-model">
          {models.length === 0 ? (
            <Empty>No usage in the last {CHART_DAYS} days.</Empty>
          ) : (
            <SpendByModel spend={models} currency={currency} />
          )}
        </Panel>
        <AlertsPanel accountId={account.account_id} />
      </div>

      <TransactionsPanel accountId={account.account_id} currency={currency} />
      <TopupsPanel accountId={account.account_id} />
    </div>
  );
}
