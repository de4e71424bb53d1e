import { formatMoney } from '../format/money';

/** A rounded amount; hovering shows the exact figure the API sent. */
export function Money({ value, currency }: { value: unknown; currency?: string }) {
  const exact = typeof value === 'string' ? `${value} ${currency ?? 'USD'}` : undefined;
  return (
    <span className="money" title={exact}>
      {formatMoney(value, currency)}
    </span>
  );
}
