import type { EChartsCoreOption } from 'echarts/core';
import { useMemo, useState } from 'react';
import { useSignedIn } from '../api/api-context';
import type { TopSpender } from '../api/api.types';
import { chartNumber, formatCount, formatMoney } from '../format/money';
import { routeHref } from '../route';
import { AlertBadge } from '../ui/alert-badge';
import { COLORS, Chart, tooltipLines } from '../ui/chart';
import { Empty, Failure, Kpi, Loading, Panel } from '../ui/layout';
import { Money } from '../ui/money';
import { useAsync } from '../ui/use-async';
import { SpendOverTime, axisMoney } from '../accounts/spend-charts';
import { dayWindow } from '../format/dates';
import { dailySpend } from '../format/series';
import { summaryDaily, summaryEntries } from './summary-entries';
import type { SummaryEntry } from './summary-entries';

const WINDOWS = [7, 30, 90] as const;

/** The whole system: the summary admin keeps, spend per day and who spent most. */
export function SystemPage() {
  const { api } = useSignedIn();
  const [days, setDays] = useState<number>(30);
  const [summary, reloadSummary] = useAsync(() => api.summary(days), `summary:${days}`);
  const [spenders, reloadSpenders] = useAsync(() => api.topSpenders(days, 10), `top:${days}`);
  const window = useMemo(() => dayWindow(days, new Date()), [days]);
  const daily = useMemo(
    () => (summary.status === 'done' ? dailySpend(summaryDaily(summary.value), window.days) : []),
    [summary, window],
  );

  return (
    <div className="system-page">
      <header className="page-header">
        <h1>System</h1>
        <div className="segmented" role="group" aria-label="Window">
          {WINDOWS.map((choice) => (
            <button
              key={choice}
              type="button"
              className={choice === days ? 'active' : ''}
              aria-pressed={choice === days}
              onClick={() => setDays(choice)}
            >
              {choice} days
            </button>
          ))}
        </div>
      </header>
      {summary.status === 'loading' ? <Loading what="the summary" /> : null}
      {summary.status === 'failed' ? (
        <Failure error={summary.error} onRetry={reloadSummary} />
      ) : null}
      {summary.status === 'done' ? (
        <>
          <div className="kpis" data-list="summary">
            {summaryEntries(summary.value).map((entry) => (
              <Kpi
                key={entry.key}
                label={entry.label}
                name={entry.key}
                hint={entry.type === 'levels' ? undefined : entry.hint}
              >
                <SummaryValue entry={entry} />
              </Kpi>
            ))}
          </div>
          <Panel title={`Spend per day, all accounts, last ${days} days`} name="system-spend" wide>
            <SpendOverTime points={daily} currency="USD" name="system-spend" />
          </Panel>
        </>
      ) : null}
      <Panel title={`Top spenders, last ${days} days`} name="top-spenders" wide>
        {spenders.status === 'loading' ? <Loading what="top spenders" /> : null}
        {spenders.status === 'failed' ? (
          <Failure error={spenders.error} onRetry={reloadSpenders} />
        ) : null}
        {spenders.status === 'done' && spenders.value.length === 0 ? (
          <Empty>No spend in this window.</Empty>
        ) : null}
        {spenders.status === 'done' && spenders.value.length > 0 ? (
          <div className="grid grid-1-1">
            <TopSpendersChart spenders={spenders.value} />
            <table className="table" data-table="top-spenders">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Account</th>
                  <th className="number">Spend</th>
                </tr>
              </thead>
              <tbody>
                {spenders.value.map((spender, index) => (
                  <tr key={spender.account_id} data-account-id={spender.account_id}>
                    <td className="muted">{index + 1}</td>
                    <td>
                      <a
                        href={routeHref({ page: 'account', accountId: spender.account_id })}
                        className="account-link"
                      >
                        <span className="account-name">{spender.name || spender.account_id}</span>
                        <span className="account-id">{spender.account_id}</span>
                      </a>
                    </td>
                    <td className="number" data-cell="spend">
                      <Money value={spender.spend} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Panel>
    </div>
  );
}

function SummaryValue({ entry }: { entry: SummaryEntry }) {
  switch (entry.type) {
    case 'money':
      return <Money value={entry.value} />;
    case 'count':
      return <>{formatCount(entry.value)}</>;
    case 'levels':
      return (
        <span className="level-counts">
          {entry.value.map(([level, count]) => (
            <span key={level} className="level-count">
              <AlertBadge level={level} /> {count}
            </span>
          ))}
        </span>
      );
  }
}

function TopSpendersChart({ spenders }: { spenders: TopSpender[] }) {
  const option = useMemo<EChartsCoreOption>(() => {
    const ascending = [...spenders].reverse();
    return {
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (params: unknown) => {
          const index = (Array.isArray(params) ? params[0] : params) as { dataIndex: number };
          const spender = ascending[index.dataIndex];
          return spender
            ? tooltipLines([spender.name || spender.account_id, formatMoney(spender.spend)])
            : '';
        },
      },
      xAxis: {
        type: 'value',
        splitLine: { lineStyle: { color: COLORS.grid } },
        axisLabel: { color: COLORS.axis, formatter: axisMoney('USD') },
      },
      yAxis: {
        type: 'category',
        data: ascending.map((spender) => spender.name || spender.account_id),
        axisLabel: { color: COLORS.axis, width: 140, overflow: 'truncate' },
        axisTick: { show: false },
      },
      series: [
        {
          type: 'bar',
          data: ascending.map((spender) => chartNumber(spender.spend)),
          itemStyle: { color: COLORS.spend, borderRadius: [0, 3, 3, 0] },
          barMaxWidth: 22,
        },
      ],
    };
  }, [spenders]);
  return (
    <Chart
      name="top-spenders"
      title="Top spenders"
      option={option}
      height={Math.max(160, spenders.length * 32 + 24)}
      rows={spenders.map((spender) => ({ label: spender.account_id, value: spender.spend }))}
    />
  );
}
