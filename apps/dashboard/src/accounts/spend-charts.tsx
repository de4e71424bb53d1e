import type { EChartsCoreOption } from 'echarts/core';
import { useMemo } from 'react';
import { formatDayLabel } from '../format/dates';
import { formatMoney } from '../format/money';
import type { DailyPoint, LabelledSpend } from '../format/series';
import { COLORS, Chart, tooltipLines } from '../ui/chart';

interface AxisTooltipParam {
  dataIndex: number;
}
const firstIndex = (params: unknown): number =>
  (Array.isArray(params) ? (params[0] as AxisTooltipParam) : (params as AxisTooltipParam))
    .dataIndex;

/** Axis ticks are chart numbers, not ledger figures: a short label is all they need. */
export const axisMoney = (currency: string) => (value: number) =>
  currency.toUpperCase() === 'USD'
    ? `$${value.toLocaleString('en-US')}`
    : `${value.toLocaleString('en-US')}`;

/** Daily spend as a line with its area; one point per UTC day. */
export function SpendOverTime({
  points,
  currency,
  name = 'spend-over-time',
}: {
  points: DailyPoint[];
  currency: string;
  name?: string;
}) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        formatter: (params: unknown) => {
          const point = points[firstIndex(params)];
          return point ? tooltipLines([point.day, formatMoney(point.cost, currency)]) : '';
        },
      },
      xAxis: {
        type: 'category',
        data: points.map((point) => formatDayLabel(point.day)),
        axisLine: { lineStyle: { color: COLORS.grid } },
        axisLabel: { color: COLORS.axis },
        axisTick: { show: false },
      },
      yAxis: {
        type: 'value',
        splitLine: { lineStyle: { color: COLORS.grid } },
        axisLabel: { color: COLORS.axis, formatter: axisMoney(currency) },
      },
      series: [
        {
          type: 'line',
          name: 'spend',
          data: points.map((point) => point.value),
          smooth: false,
          symbol: 'circle',
          symbolSize: 6,
          lineStyle: { color: COLORS.spend, width: 2 },
          itemStyle: { color: COLORS.spend },
          areaStyle: { color: COLORS.spendArea },
        },
      ],
    }),
    [points, currency],
  );
  return (
    <Chart
      name={name}
      title="Spend per day (UTC)"
      option={option}
      height={240}
      rows={points.map((point) => ({ label: point.day, value: point.cost }))}
    />
  );
}

/** Spend per model, highest at the top. */
export function SpendByModel({ spend, currency }: { spend: LabelledSpend[]; currency: string }) {
  const option = useMemo<EChartsCoreOption>(() => {
    const ascending = [...spend].reverse();
    return {
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (params: unknown) => {
          const entry = ascending[firstIndex(params)];
          return entry ? tooltipLines([entry.label, formatMoney(entry.cost, currency)]) : '';
        },
      },
      xAxis: {
        type: 'value',
        splitLine: { lineStyle: { color: COLORS.grid } },
        axisLabel: { color: COLORS.axis, formatter: axisMoney(currency) },
      },
      yAxis: {
        type: 'category',
        data: ascending.map((entry) => entry.label),
        axisLabel: { color: COLORS.axis, width: 160, overflow: 'truncate' },
        axisTick: { show: false },
        axisLine: { lineStyle: { color: COLORS.grid } },
      },
      series: [
        {
          type: 'bar',
          data: ascending.map((entry) => entry.value),
          itemStyle: { color: COLORS.spend, borderRadius: [0, 3, 3, 0] },
          barMaxWidth: 22,
        },
      ],
    };
  }, [spend, currency]);
  return (
    <Chart
      name="spend-by-model"
      title="Spend by model"
      option={option}
      height={Math.max(140, spend.length * 34 + 24)}
      rows={spend.map((entry) => ({ label: entry.label, value: entry.cost }))}
    />
  );
}

/**
 * How much of its funds the account has spent this period (100 − available_percent), on
 * bands coloured at the alert levels' thresholds.
 */
export function BudgetGauge({ availablePercent }: { availablePercent: number | undefined }) {
  const spent =
    availablePercent === undefined ? undefined : Math.max(0, 100 - Math.round(availablePercent));
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      series: [
        {
          type: 'gauge',
          min: 0,
          max: 100,
          startAngle: 200,
          endAngle: -20,
          splitNumber: 4,
          radius: '100%',
          center: ['50%', '64%'],
          axisLine: {
            lineStyle: {
              width: 14,
              color: [
                [0.5, COLORS.levels.GREEN],
                [0.75, COLORS.levels.YELLOW],
                [0.9, COLORS.levels.ORANGE],
                [1, COLORS.levels.RED],
              ],
            },
          },
          pointer: {
            show: spent !== undefined,
            width: 6,
            length: '58%',
            itemStyle: { color: '#30374a' },
          },
          anchor: { show: spent !== undefined, size: 12, itemStyle: { color: '#30374a' } },
          axisTick: { show: false },
          splitLine: { length: 14, distance: -14, lineStyle: { color: '#fff', width: 3 } },
          axisLabel: { distance: 22, color: COLORS.axis, fontSize: 11 },
          detail: {
            valueAnimation: false,
            formatter: spent === undefined ? '—' : spent > 100 ? '> 100 %' : '{value} %',
            fontSize: 26,
            fontWeight: 650,
            color: '#1d2433',
            offsetCenter: [0, '32%'],
          },
          title: { offsetCenter: [0, '56%'], fontSize: 12, color: COLORS.axis },
          data: [{ value: Math.min(spent ?? 0, 100), name: 'of funds spent' }],
        },
      ],
    }),
    [spent],
  );
  return (
    <Chart
      name="budget-gauge"
      title="Share of funds spent this period"
      option={option}
      height={230}
      rows={spent === undefined ? [] : [{ label: 'spent', value: `${spent} %` }]}
    />
  );
}

/** Thirty days of spend in a table cell. */
export function Sparkline({ points }: { points: DailyPoint[] }) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      grid: { left: 2, right: 2, top: 3, bottom: 3 },
      xAxis: { type: 'category', show: false, data: points.map((point) => point.day) },
      yAxis: { type: 'value', show: false, min: 0 },
      series: [
        {
          type: 'line',
          data: points.map((point) => point.value),
          symbol: 'none',
          lineStyle: { color: COLORS.spend, width: 1.5 },
          areaStyle: { color: COLORS.spendArea },
        },
      ],
    }),
    [points],
  );
  return (
    <Chart
      name="sparkline"
      className="sparkline"
      title="Spend per day, last 30 days"
      option={option}
      height={32}
      rows={points.map((point) => ({ label: point.day, value: point.cost }))}
    />
  );
}
