import { z } from 'zod';
import { isDecimalString } from '../money/amount';

/**
 * A decimal amount on the wire: a string, never a JSON number. Zod runs a schema's later checks
 * after a failed one: `abort` keeps them (a bound, a sign) from reading other text as a decimal.
 */
export const amountString = z.string().refine(isDecimalString, {
  message: 'must be a decimal string with at most 26 digits before the point and 12 after',
  abort: true,
});
export const nonNegativeAmountString = amountString.refine((value) => !value.startsWith('-'), {
  message: 'must not be negative',
});
export const isoTimestamp = z.string().refine(isTimestamp, {
  message: 'must be an ISO-8601 timestamp',
});

/** What `nonNegativeAmountString` accepts, for readers that check a shape without zod. */
export function isNonNegativeAmountString(value: unknown): value is string {
  return typeof value === 'string' && isDecimalString(value) && !value.startsWith('-');
}

/**
 * The most one usage event may cost, or one payment move, on the wire: what one credit grant,
 * coupon or hold may be. Alone, 10^26 fits NUMERIC(38,12); added to a balance it overflowed,
 * and the reader's slice failed for good (ADR 0096).
 */
export const MAX_EVENT_AMOUNT = '1000000';

/** A decimal string at most MAX_EVENT_AMOUNT, compared as text (any text: it never throws). */
function isWithinEventAmount(value: string): boolean {
  const point = value.indexOf('.');
  const whole = (point < 0 ? value : value.slice(0, point)).replace(/^0+/, '');
  if (whole.length < MAX_EVENT_AMOUNT.length) return true;
  return whole === MAX_EVENT_AMOUNT && (point < 0 || /^0*$/.test(value.slice(point + 1)));
}

/** A usage event's cost or a payment's amount: non-negative, at most MAX_EVENT_AMOUNT. */
export const eventAmountString = nonNegativeAmountString.refine(isWithinEventAmount, {
  message: `must be at most ${MAX_EVENT_AMOUNT}`,
});

/** What `eventAmountString` accepts, for readers that check a shape without zod. */
export function isEventAmountString(value: unknown): value is string {
  return isNonNegativeAmountString(value) && isWithinEventAmount(value);
}

/**
 * An ISO-8601 date and time (offset optional). Date.parse alone also takes "1" or "30 November
 * 2026 (note)", which PostgreSQL refuses: a reader storing such a value would fail for good.
 */
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-](?<offsetHours>\d{2})(:?\d{2})?)?$/;
/** PostgreSQL refuses a UTC offset beyond ±15:59 ("time zone displacement out of range"). */
const MAX_OFFSET_HOURS = 15;
/** The instants whose UTC date has four digits, as PostgreSQL's date and JavaScript's ISO text agree. */
const FIRST_INSTANT_MS = Date.parse('0001-01-01T00:00:00.000Z');
const LAST_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** What `isoTimestamp` accepts, for readers that check without zod. */
export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parts = ISO_TIMESTAMP.exec(value);
  if (!parts || Number(parts.groups?.['offsetHours'] ?? 0) > MAX_OFFSET_HOURS) return false;
  // Date.parse rolls 2026-02-30 over to March and takes year 0; PostgreSQL refuses both.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  // An offset moves 9999-12-31 into year 10000 and 0001-01-01 into year 0 (UTC).
  const instant = timestampMs(value);
  return instant >= FIRST_INSTANT_MS && instant <= LAST_INSTANT_MS;
}

/**
 * The instant of a timestamp `isTimestamp` accepts. One without an offset is UTC, as
 * PostgreSQL's UTC sessions read it; Date.parse would read it in the host's time zone.
 */
export function timestampMs(value: string): number {
  return Date.parse(/([Zz]|[+-]\d{2}(:?\d{2})?)$/.test(value.slice(10)) ? value : `${value}Z`);
}

/** A JSON object (not an array, not null): what `z.object` and `z.record` take. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON object whose copy by `z.record` has the same keys: zod's copy would make a `__proto__`
 * key the prototype, so a reader leaves such an object to zod.
 */
export function isCopyableRecord(value: unknown): value is Record<string, unknown> {
  return isJsonObject(value) && !Object.hasOwn(value, '__proto__');
}

export const SCHEMA_VERSION = 1 as const;
/**
 * The payload version Tally writes (1). DESIGN 3 spells the payloads without it, so a reader
 * takes a payload without it as version 1; any other version is refused, never misread.
 */
export const schemaVersion = z.literal(SCHEMA_VERSION).default(SCHEMA_VERSION);

/**
 * No control character or unpaired surrogate: PostgreSQL refuses a NUL in text, and a lone
 * surrogate would be stored as U+FFFD, merging two different values into one.
 */
const STORABLE_TEXT = /^[^\p{Cc}\p{Cs}]*$/u;
const STORABLE_TEXT_MESSAGE = 'must not contain control characters or unpaired surrogates';

/** Text of any length that PostgreSQL stores as it is (see STORABLE_TEXT). */
export const storableString = z.string().regex(STORABLE_TEXT, { message: STORABLE_TEXT_MESSAGE });

/** What `storableString` accepts, for readers that check a shape without zod. */
export function isStorableString(value: unknown): value is string {
  return typeof value === 'string' && STORABLE_TEXT.test(value);
}

/**
 * Text a person or a program chose (names, ids, reasons), 1 to `maxLength` UTF-16 units, that
 * PostgreSQL stores as it is.
 */
export function plainText(maxLength: number) {
  return z.string().min(1).max(maxLength).regex(STORABLE_TEXT, { message: STORABLE_TEXT_MESSAGE });
}

/**
 * Text a program wrote about something else (an error message quoting the input it refused),
 * made storable: a NUL, which PostgreSQL refuses in text, and an unpaired surrogate become
 * U+FFFD. The message stays readable; the input it quoted is kept elsewhere as bytes.
 */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(/\p{Cs}/gu, '\uFFFD');
}
