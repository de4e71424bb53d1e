import { Decimal } from 'decimal.js';

/** Credit bought per paid amount: `paid` in the paid currency buys `credit` USD. */
export interface CreditRate {
  readonly paid: Decimal;
  readonly credit: Decimal;
}

/** Default: 30 CHF buys 10.00 USD of credit. */
export const DEFAULT_CREDIT_RATES: Readonly<Record<string, CreditRate>> = {
  CHF: { paid: new Decimal(30), credit: new Decimal(10) },
};

export class UnsupportedCurrencyError extends Error {
  readonly code = 'UNSUPPORTED_CURRENCY';
}

/** The credit a payment buys, rounded half-even to the cent (credit is USD). */
export function creditForPayment(
  paidAmount: Decimal,
  paidCurrency: string,
  rates: Readonly<Record<string, CreditRate>> = DEFAULT_CREDIT_RATES,
): Decimal {
  const rate = rates[paidCurrency];
  if (!rate) throw new UnsupportedCurrencyError(`no credit rate for ${paidCurrency}`);
  return paidAmount
    .times(rate.credit)
    .dividedBy(rate.paid)
    .toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
}
