import { Decimal } from 'decimal.js';
import { AMOUNT_SCALE } from '../money/amount';
import { minorUnitsOf } from '../money/currency';

/** Credit bought per paid amount: `paid` in the paid currency buys `credit` USD. */
export interface CreditRate {
  readonly paid: Decimal;
  readonly credit: Decimal;
}

/** Default: 30 CHF buys 10 USD of credit (DESIGN 4, `TOPUP_CREDIT_RATE` 10/30). */
export const DEFAULT_CREDIT_RATES: Readonly<Record<string, CreditRate>> = {
  CHF: { paid: new Decimal(30), credit: new Decimal(10) },
};

export class UnsupportedCurrencyError extends Error {
  readonly code = 'UNSUPPORTED_CURRENCY';
}

export class InvalidCreditRateError extends Error {
  readonly code = 'INVALID_CREDIT_RATE';
}

/**
 * Enough significant digits for any NUMERIC(38,12) amount times a rate: decimal.js' default
 * of 20 would round 10^20 / 3 before its twelfth decimal.
 */
const Exact = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });

const RATE = /^(\d{1,26}(?:\.\d{1,12})?)(?:\/(\d{1,26}(?:\.\d{1,12})?))?$/;

/**
 * A configured rate: credit per paid unit as a fraction ("10/30": 30 paid buys 10 credit) or
 * a decimal ("0.5"). A fraction keeps 1/3 exact where a decimal would already be rounded.
 */
export function parseCreditRate(text: string): CreditRate {
  const match = RATE.exec(text.trim());
  const credit = match?.[1] ? new Decimal(match[1]) : undefined;
  const paid = new Decimal(match?.[2] ?? '1');
  if (!credit || credit.isZero() || paid.isZero()) {
    throw new InvalidCreditRateError(
      `credit rate must be "<credit>/<paid>" or a decimal, both above zero (e.g. "10/30"), got "${text}"`,
    );
  }
  return { credit, paid };
}

/**
 * The credit a payment buys: paid × credit / paid-unit, exact to the 12 decimals every amount
 * keeps (NUMERIC(38,12)), half-even only at the twelfth. 10 CHF at 10/30 buys 3.333333333333.
 */
export function creditForPayment(
  paidAmount: Decimal,
  paidCurrency: string,
  rates: Readonly<Record<string, CreditRate>> = DEFAULT_CREDIT_RATES,
): Decimal {
  const rate = rates[paidCurrency];
  if (!rate) throw new UnsupportedCurrencyError(`no credit rate for ${paidCurrency}`);
  return toScale(
    new Exact(paidAmount.toFixed()).times(rate.credit.toFixed()).dividedBy(rate.paid.toFixed()),
  );
}

/**
 * The credit taken back when `refundedPaid` of a payment of `paidAmount` that bought `credit`
 * has been refunded in total: proportional, and exactly `credit` once all of it is refunded,
 * so partial refunds taken as differences of these totals sum to the credit bought.
 */
export function creditRefunded(
  credit: Decimal,
  paidAmount: Decimal,
  refundedPaid: Decimal,
): Decimal {
  if (refundedPaid.greaterThanOrEqualTo(paidAmount)) return credit;
  return toScale(
    new Exact(credit.toFixed()).times(refundedPaid.toFixed()).dividedBy(paidAmount.toFixed()),
  );
}

/** An amount Stripe refunded of a charge, in the charge's minor units and currency. */
export interface StripeRefunded {
  readonly minor: number;
  /** The charge's currency, as Stripe writes it (lower-case). */
  readonly currency: string;
  /** The charge's own amount: what the refund is a share of when its currency is not the paid one. */
  readonly chargeMinor?: number | undefined;
}

/**
 * What a refund gives back of a payment, in the payment's currency: the refunded minor units
 * when the charge was in the paid currency, else the same share of the payment as of the
 * charge (a charge presented in the customer's currency), exact to 12 decimals.
 */
export function paidRefunded(
  paidAmount: Decimal,
  paidCurrency: string,
  refunded: StripeRefunded,
): Decimal {
  if (refunded.currency.toUpperCase() === paidCurrency) {
    return new Decimal(refunded.minor).dividedBy(new Decimal(10).pow(minorUnitsOf(paidCurrency)));
  }
  if (refunded.chargeMinor === undefined || refunded.chargeMinor <= 0) {
    throw new RangeError(
      `a refund in ${refunded.currency} of a ${paidCurrency} payment needs its charge's amount`,
    );
  }
  return toScale(
    new Exact(paidAmount.toFixed()).times(refunded.minor).dividedBy(refunded.chargeMinor),
  );
}

function toScale(value: Decimal): Decimal {
  return new Decimal(value.toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_EVEN).toFixed());
}
