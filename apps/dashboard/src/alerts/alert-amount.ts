import type { Alert } from '../api/api.types';

/**
 * The amount an alert shows beside its message: spend, in USD (the books' currency). A failed
 * auto top-up's amount is in a paid currency the alert does not carry; its message names it.
 */
export function alertAmountShown(alert: Alert): { value: string; currency: string } | undefined {
  if (!alert.amount || alert.kind === 'auto_topup_failed') return undefined;
  return { value: alert.amount, currency: 'USD' };
}
