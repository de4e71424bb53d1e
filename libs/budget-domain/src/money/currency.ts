import { Decimal } from 'decimal.js';

/**
 * The currency every ledger keeps its books in: rated costs, credit, budgets and balances are
 * amounts of it. A figure in another currency is not one of them until it is converted.
 */
export const BOOKS_CURRENCY = 'USD';

/** ISO 4217 minor units of the currencies Tally prices and charges in. */
const MINOR_UNITS: Record<string, number> = {
  USD: 2,
  EUR: 2,
  CHF: 2,
  GBP: 2,
  CAD: 2,
  AUD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  INR: 2,
  BRL: 2,
  JPY: 0,
  KRW: 0,
  CLP: 0,
  BHD: 3,
  KWD: 3,
  JOD: 3,
};

export class UnknownCurrencyError extends Error {
  readonly code = 'UNKNOWN_CURRENCY';
}

export function minorUnitsOf(currency: string): number {
  const units = MINOR_UNITS[currency];
  if (units === undefined) throw new UnknownCurrencyError(`unknown currency "${currency}"`);
  return units;
}

/** Three-decimal currencies are charged in steps of 10 minor units: Stripe refuses a last digit other than 0. */
const CHARGED_IN_TENS_OF_MINOR_UNITS = new Set(['BHD', 'KWD', 'JOD']);

/**
 * The decimals a charge in the currency may have: its minor units, less one for a
 * three-decimal currency (10.010 BHD can be charged, 10.005 cannot).
 */
export function chargeableDecimalsOf(currency: string): number {
  const units = minorUnitsOf(currency);
  return CHARGED_IN_TENS_OF_MINOR_UNITS.has(currency) ? units - 1 : units;
}

/**
 * An amount for people, with its currency: every decimal it has (up to 12, as stored) and at
 * least the currency's minor units ("12.50 USD", "0.00045 USD", "3000 JPY", "10.010 BHD").
 * Rounding a fraction of a cent to cents would show spend as nothing.
 */
export function presentMoney(amount: Decimal, currency: string): string {
  const exact = amount.toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN);
  const places = Math.max(presentedMinorUnitsOf(currency), exact.decimalPlaces());
  return `${exact.isZero() ? exact.abs().toFixed(places) : exact.toFixed(places)} ${currency}`;
}

/**
 * A record may name any ISO 4217 code (payments.events): one outside this table is shown with
 * the minor units the runtime's ICU data gives it (VND 0), and 2 for a code ICU refuses.
 */
function presentedMinorUnitsOf(currency: string): number {
  const units = MINOR_UNITS[currency];
  if (units !== undefined) return units;
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    return format.resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount of the books for people: exact, in USD ("25.00 USD", "0.00045 USD"). */
export function presentBooksAmount(amount: Decimal): string {
  return presentMoney(amount, BOOKS_CURRENCY);
}

/** An amount in whole minor units (cents for USD), rounded half-even: what a payment provider charges. */
export function toMinorUnits(amount: Decimal, currency: string): number {
  return amount
    .times(new Decimal(10).pow(minorUnitsOf(currency)))
    .toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN)
    .toNumber();
}
