import { ALERT_LEVELS } from '../api/api.types';
import type { AlertLevel, Summary } from '../api/api.types';
import { parseAmount } from '../format/money';

// The contract names no summary fields, so the page shows what admin sends: decimal strings
// under a money-sounding name as money, integers as counts, a map of levels as badges.
export type SummaryEntry =
  | { key: string; label: string; type: 'money'; value: string }
  | { key: string; label: string; type: 'count'; value: number }
  | { key: string; label: string; type: 'text'; value: string }
  | { key: string; label: string; type: 'levels'; value: Array<[AlertLevel, number]> };

const MONEY_WORDS =
  /(spend|spent|cost|amount|balance|credit|revenue|available|used|overage|paid|refund|allowance)/;

export function summaryEntries(summary: Summary): SummaryEntry[] {
  const entries: SummaryEntry[] = [];
  for (const [key, value] of Object.entries(summary)) {
    const label = labelOf(key);
    if (key === 'schema_version' || key === 'currency') continue;
    if (typeof value === 'string' && parseAmount(value) !== undefined && MONEY_WORDS.test(key)) {
      entries.push({ key, label, type: 'money', value });
    } else if (typeof value === 'number' && Number.isInteger(value)) {
      entries.push({ key, label, type: 'count', value });
    } else if (typeof value === 'string' && value.length <= 80) {
      entries.push({ key, label, type: 'text', value });
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const counts = value as Record<string, unknown>;
      const levels = ALERT_LEVELS.flatMap((level): Array<[AlertLevel, number]> => {
        const count = counts[level];
        return typeof count === 'number' ? [[level, count]] : [];
      });
      if (levels.length > 0) entries.push({ key, label, type: 'levels', value: levels });
    }
  }
  return entries;
}

/** "total_spend_30d" -> "Total spend 30d". */
export function labelOf(key: string): string {
  const words = key.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
