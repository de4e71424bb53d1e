import { Decimal } from 'decimal.js';

// Amounts arrive as decimal strings with up to 12 places; they are rounded here, for display
// only, with decimal.js, so what an operator reads is the ledger's figure, not a float's.
const AMOUNT = /^-?\d+(\.\d+)?$/;
const SYMBOLS: Readonly<Record<string, string>> = { USD: '$', EUR: '€', GBP: '£' };
const SMALLEST_SHOWN_PLACES = 6;
// Wide enough for any NUMERIC(38,12) amount and sums of them: the default 20 digits rounds sums.
const Exact = Decimal.clone({ precision: 64 });

/** The amount as a Decimal, or undefined when it is not a plain decimal string. */
export function parseAmount(value: unknown): Decimal | undefined {
  if (typeof value !== 'string' || !AMOUNT.test(value)) return undefined;
  return new Exact(value);
}

/** Digits grouped by thousands, rounded half-even to `places`. */
export function formatDecimal(value: Decimal, places: number): string {
  const fixed = value.toFixed(places, Decimal.ROUND_HALF_EVEN);
  const negative = fixed.startsWith('-');
  const [whole = '0', fraction] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = negative && !/^[0.]+$/.test(fixed.slice(1)) ? '-' : '';
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

const minorDigitsByCurrency = new Map<string, number>();

/**
 * The decimals of a currency's minor unit as the browser's ICU data knows them (JPY 0, USD 2,
 * BHD 3); 2 for a code it does not know.
 */
export function minorDigitsOf(currency: string): number {
  const code = currency.toUpperCase();
  const known = minorDigitsByCurrency.get(code);
  if (known !== undefined) return known;
  let digits = 2;
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency: code });
    digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not a well-formed currency code: Intl refuses it (RangeError).
  }
  minorDigitsByCurrency.set(code, digits);
  return digits;
}

/**
 * Places that keep a figure readable and still honest: the currency's minor unit from one
 * unit up, and below that two significant digits (AI calls cost fractions of a cent), at most
 * six places; formatMoney drops the zeros this leaves past the minor unit.
 */
export function displayPlaces(value: Decimal, minorDigits = 2): number {
  const magnitude = value.abs();
  if (magnitude.isZero() || magnitude.greaterThanOrEqualTo(1)) return minorDigits;
  const leadingZeros = magnitude.log(10).floor().negated().minus(1).toNumber();
  return Math.min(Math.max(minorDigits, leadingZeros + 2), SMALLEST_SHOWN_PLACES);
}

/**
 * "$1,234.50", "$0.00045", "-$3.33", "12.00 CHF", "3,000 JPY", "10.010 BHD"; "—" for a missing
 * or malformed amount.
 */
export function formatMoney(value: unknown, currency = 'USD'): string {
  const amount = parseAmount(value);
  if (amount === undefined) return '—';
  const smallest = new Decimal(1).dividedBy(10 ** SMALLEST_SHOWN_PLACES);
  // Half the smallest place rounds half-even to zero: below it or at it, say so.
  if (!amount.isZero() && amount.abs().lessThanOrEqualTo(smallest.dividedBy(2))) {
    return `${amount.isNegative() ? '> -' : '< '}${withCurrency(smallest.toFixed(), currency)}`;
  }
  const minorDigits = minorDigitsOf(currency);
  const formatted = formatDecimal(amount, displayPlaces(amount, minorDigits));
  return withCurrency(trimPastMinorUnit(formatted, minorDigits), currency);
}

/** "0.50" stays for cents, "0.0450" becomes "0.045"; "0.50" in yen becomes "0.5". */
function trimPastMinorUnit(formatted: string, minorDigits: number): string {
  const point = formatted.indexOf('.');
  if (point < 0) return formatted;
  const kept = point + 1 + minorDigits;
  const trimmed = formatted.slice(0, kept) + formatted.slice(kept).replace(/0+$/, '');
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}

function withCurrency(formatted: string, currency: string): string {
  const code = currency.toUpperCase();
  const symbol = SYMBOLS[code];
  if (symbol === undefined) return `${formatted} ${code}`;
  return formatted.startsWith('-') ? `-${symbol}${formatted.slice(1)}` : `${symbol}${formatted}`;
}

/** An amount for a chart axis or tooltip: charts draw numbers, tables and cards show strings. */
export function chartNumber(value: unknown): number {
  return parseAmount(value)?.toNumber() ?? 0;
}

/** Sum of decimal strings, exact. */
export function sumAmounts(values: readonly unknown[]): string {
  return values
    .reduce<Decimal>((total, value) => total.plus(parseAmount(value) ?? 0), new Exact(0))
    .toFixed();
}

/** Integer counts (tokens, requests) grouped by thousands; they may arrive as strings. */
export function formatCount(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) return '—';
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A whole percent ("87 %"); the wire gives available_percent as an integer. */
export function formatPercent(value: unknown): string {
  const percent = typeof value === 'string' ? Number(value) : value;
  if (typeof percent !== 'number' || !Number.isFinite(percent)) return '—';
  return `${Math.round(percent)} %`;
}
