import { Decimal } from 'decimal.js';
import { Column } from 'typeorm';
import type { ColumnOptions, ValueTransformer } from 'typeorm';

/** NUMERIC arrives from pg as a string; it becomes a Decimal and goes back as a string. */
export const decimalTransformer: ValueTransformer = {
  to: (value: Decimal | string | null | undefined) =>
    value === null || value === undefined ? value : new Decimal(value).toFixed(),
  from: (value: string | null) => (value === null ? null : new Decimal(value)),
};

/**
 * A money column: NUMERIC(38,12). AI prices are fractions of a cent (0.000000150 per
 * token), so integer cents would round real charges away.
 */
export function MoneyColumn(options: Omit<ColumnOptions, 'type' | 'precision' | 'scale'> = {}) {
  return Column({
    ...options,
    type: 'numeric',
    precision: 38,
    scale: 12,
    transformer: decimalTransformer,
  });
}
