import { ALERT_LEVELS } from '../api/api.types';
import type { AlertLevel, Summary } from '../api/api.types';
import { formatCount, parseAmount } from '../format/money';

// The system summary as admin answers it: counts, money as decimal strings, usage totals
// `{ cost, tokens, requests }` for today and the window, accounts per alert level. Each
// figure is read on its own, so a field admin drops or renames leaves the others shown.
export type SummaryEntry =
  | { key: string; label: string; type: 'money'; value: string; hint?: string }
  | { key: string; label: string; type: 'count'; value: number; hint?: string }
  | { key: string; label: string; type: 'levels'; value: Array<[AlertLevel, number]> };

interface UsageTotals {
  cost: string;
  tokens?: unknown;
  requests?: unknown;
}

const usageOf = (value: unknown): UsageTotals | undefined =>
  value !== null &&
  typeof value === 'object' &&
  parseAmount((value as UsageTotals).cost) !== undefined
    ? (value as UsageTotals)
    : undefined;

const usageHint = (usage: UsageTotals) =>
  `${formatCount(usage.requests)} requests · ${formatCount(usage.tokens)} tokens`;

export function summaryEntries(summary: Summary): SummaryEntry[] {
  const entries: SummaryEntry[] = [];
  if (typeof summary['accounts'] === 'number') {
    entries.push({ key: 'accounts', label: 'Accounts', type: 'count', value: summary['accounts'] });
  }
  const today = usageOf(summary['today']);
  if (today) {
    entries.push({
      key: 'today',
      label: 'Spend today (UTC)',
      type: 'money',
      value: today.cost,
      hint: usageHint(today),
    });
  }
  const window = usageOf(summary['window']);
  if (window) {
    const days = typeof summary['days'] === 'number' ? `${summary['days']} days` : 'the window';
    entries.push({
      key: 'window',
      label: `Spend, last ${days}`,
      type: 'money',
      value: window.cost,
      hint: usageHint(window),
    });
  }
  const credit = summary['extra_credit_remaining'];
  if (typeof credit === 'string' && parseAmount(credit) !== undefined) {
    entries.push({
      key: 'extra_credit_remaining',
      label: 'Prepaid credit held',
      type: 'money',
      value: credit,
    });
  }
  const levels = levelCounts(summary['alert_levels']);
  if (levels.length > 0) {
    entries.push({
      key: 'alert_levels',
      label: 'Accounts by alert level',
      type: 'levels',
      value: levels,
    });
  }
  return entries;
}

/** The levels with their account counts, GREEN to CRITICAL; levels without a count left out. */
export function levelCounts(value: unknown): Array<[AlertLevel, number]> {
  if (value === null || typeof value !== 'object') return [];
  const counts = value as Record<string, unknown>;
  return ALERT_LEVELS.flatMap((level): Array<[AlertLevel, number]> => {
    const count = counts[level];
    return typeof count === 'number' ? [[level, count]] : [];
  });
}

/** The summary's spend per UTC day, as usage rows the daily chart reads. */
export function summaryDaily(summary: Summary): Array<{ day: string; cost: string }> {
  const daily = summary['daily'];
  if (!Array.isArray(daily)) return [];
  return daily.flatMap((row: unknown) => {
    const usage = usageOf(row);
    const day = (row as { day?: unknown } | null)?.day;
    return usage && typeof day === 'string' ? [{ day, cost: usage.cost }] : [];
  });
}
