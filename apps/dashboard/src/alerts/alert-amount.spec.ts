import type { Alert } from '../api/api.types';
import { alertAmountShown } from './alert-amount';

const alert = (kind: string, amount?: string): Alert => ({
  id: 'alrt_1',
  kind,
  state: 'fired',
  level: 'YELLOW',
  percent: 55,
  ...(amount === undefined ? {} : { amount }),
  message: 'acct_1: …',
  at: '2026-11-20T10:00:00.000Z',
});

// A failed auto top-up's amount is in the paid currency (3000 JPY), which the alert does not
// carry: shown as USD it read "$3,000.00".
describe('the amount an alert shows beside its message', () => {
  it('is a spend amount in USD for the kinds measured on spend', () => {
    expect(alertAmountShown(alert('custom_threshold', '25.000000'))).toEqual({
      value: '25.000000',
      currency: 'USD',
    });
    expect(alertAmountShown(alert('anomaly', '6.000000'))).toEqual({
      value: '6.000000',
      currency: 'USD',
    });
    expect(alertAmountShown(alert('threshold'))).toBeUndefined();
  });

  it('is none for a failed auto top-up: its message names the amount and its currency', () => {
    expect(alertAmountShown(alert('auto_topup_failed', '3000.000000'))).toBeUndefined();
  });
});
