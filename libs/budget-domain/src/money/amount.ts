import { Decimal } from 'decimal.js';
import { excerpt } from '../excerpt';

/** Internal amounts keep 12 decimals (NUMERIC(38,12)); rounding happens only when presenting or charging. */
export const AMOUNT_SCALE = 12;

// decimal.js rounds every result to 20 significant digits by default: a balance of 10^8 with 12
// decimals would lose its last ones. Every service does its arithmetic on this one instance.
Decimal.set({ precision: 64 });
/** Amounts on the wire show at least 6 decimals ("0.002000") and more only when they have them. */
export const WIRE_MIN_DECIMALS = 6;
/** The zeros an amount with n decimals (n < WIRE_MIN_DECIMALS) is padded with, made once. */
const PADDING = Array.from({ length: WIRE_MIN_DECIMALS }, (_, n) =>
  '0'.repeat(WIRE_MIN_DECIMALS - n),
);

/**
 * Plain decimal text that fits NUMERIC(38,12): at most 26 digits before the point and 12
 * after. Longer text is refused here, at the edge: written out or stored it would grow the
 * payload without bound, or make PostgreSQL refuse the whole batch ("numeric field overflow").
 */
const DECIMAL_STRING = /^-?\d{1,26}(\.\d{1,12})?$/;

export class InvalidAmountError extends Error {
  readonly code = 'INVALID_AMOUNT';
}

/** Parses a decimal string. JSON numbers are refused: they may already have lost precision. */
export function parseAmount(value: unknown): Decimal {
  if (typeof value !== 'string') {
    throw new InvalidAmountError(`amount must be a decimal string, got ${typeof value}`);
  }
  if (!DECIMAL_STRING.test(value)) {
    throw new InvalidAmountError(
      `${excerpt(value)} is not a decimal amount (at most 26 digits before the point and ${AMOUNT_SCALE} after)`,
    );
  }
  return new Decimal(value);
}

export function isDecimalString(value: string): boolean {
  return DECIMAL_STRING.test(value);
}

/**
 * An amount rounded half to even to 12 decimals, the one rounding internal amounts get. One that
 * has no more decimals is returned as it is: rating and charging round several amounts an event.
 */
export function roundAmount<T extends Decimal>(amount: T): T {
  if (amount.decimalPlaces() <= AMOUNT_SCALE) return amount;
  return amount.toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_EVEN) as T;
}

/** The wire form of an amount: exact to 12 decimals, at least 6 shown, no exponent. */
export function formatAmount(amount: Decimal): string {
  const exact = roundAmount(amount);
  const places = exact.decimalPlaces();
  // Padded by hand: toFixed(n) rounds through a new Decimal, and this runs a dozen times an event.
  const plain = exact.toFixed();
  if (places >= WIRE_MIN_DECIMALS) return plain;
  return `${places === 0 ? `${plain}.` : plain}${PADDING[places]}`;
}
