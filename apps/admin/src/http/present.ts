import { Decimal } from 'decimal.js';
import { formatAmount } from '@tally/budget-domain';

/** A NUMERIC(38,12) column as the wire shows amounts: a decimal string, at least 6 decimals. */
export function presentAmount(value: string | Decimal): string {
  return formatAmount(value instanceof Decimal ? value : new Decimal(value));
}

export function presentOptionalAmount(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : presentAmount(value);
}

export function presentInstant(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function presentOptionalInstant(value: Date | string | null | undefined): string | null {
  return value === null || value === undefined ? null : presentInstant(value);
}
