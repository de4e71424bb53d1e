import type { UsageRow } from '../api/api.types';
import { dayOf } from './dates';
import { chartNumber, sumAmounts } from './money';

export interface DailyPoint {
  day: string;
  /** Exact, for tables and tooltips. */
  cost: string;
  /** For the chart only. */
  value: number;
}

/** Spend per day over `days` (oldest first), a day without usage at "0". */
export function dailySpend(rows: readonly UsageRow[], days: readonly string[]): DailyPoint[] {
  const byDay = new Map<string, unknown[]>();
  for (const row of rows) {
    const day = dayOf(row.day);
    if (day === undefined) continue;
    byDay.set(day, [...(byDay.get(day) ?? []), row.cost]);
  }
  return days.map((day) => {
    const cost = sumAmounts(byDay.get(day) ?? []);
    return { day, cost, value: chartNumber(cost) };
  });
}

export interface LabelledSpend {
  label: string;
  cost: string;
  value: number;
}

/** Spend per model (or any group key), highest first, the tail past `top` summed as "other". */
export function spendBy(
  rows: readonly UsageRow[],
  key: (row: UsageRow) => string | undefined,
  top = 8,
): LabelledSpend[] {
  const sums = new Map<string, unknown[]>();
  for (const row of rows) {
    const label = key(row) ?? 'unknown';
    sums.set(label, [...(sums.get(label) ?? []), row.cost]);
  }
  const sorted = [...sums.entries()]
    .map(([label, costs]) => {
      const cost = sumAmounts(costs);
      return { label, cost, value: chartNumber(cost) };
    })
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  if (sorted.length <= top) return sorted;
  const tail = sorted.slice(top - 1);
  const cost = sumAmounts(tail.map((entry) => entry.cost));
  return [
    ...sorted.slice(0, top - 1),
    { label: `${tail.length} others`, cost, value: chartNumber(cost) },
  ];
}
