import type { TransactionFilter } from '../api/api.client';
import { dayEnd, dayStart } from '../format/dates';

/** The filter form's values: a kind and UTC days as an <input type="date"> gives them. */
export interface FilterForm {
  kind: string;
  fromDay: string;
  toDay: string;
}

export const EMPTY_FILTER: FilterForm = { kind: '', fromDay: '', toDay: '' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The API's filter: `from` the first instant of the first day, `to` the end of the last. */
export function toTransactionFilter(form: FilterForm): TransactionFilter {
  return {
    kind: form.kind || undefined,
    from: DAY.test(form.fromDay) ? dayStart(form.fromDay) : undefined,
    to: DAY.test(form.toDay) ? dayEnd(form.toDay) : undefined,
  };
}

/** A reason the form cannot be applied, or undefined. */
export function filterProblem(form: FilterForm): string | undefined {
  if (DAY.test(form.fromDay) && DAY.test(form.toDay) && form.fromDay > form.toDay)
    return 'The first day comes after the last.';
  return undefined;
}

/** "transactions-acct_1-2026-11-01-to-2026-11-30.csv", safe as a file name. */
export function csvFileName(accountId: string, form: FilterForm): string {
  const parts = [
    'transactions',
    accountId,
    form.kind,
    form.fromDay,
    form.toDay && `to-${form.toDay}`,
  ];
  return `${parts
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 120)}.csv`;
}
