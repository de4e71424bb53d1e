import type { Alert } from '../api/api.types';

export function alertAmountShown(alert: Alert): { value: string; currency: string } | undefined {
  return alert.amount ? { value: alert.amount, currency: 'USD' } : undefined;
}
