/**
 * CSV fields for a file an operator opens in a spreadsheet (RFC 4180, ADR 0188). Text that
 * starts like a formula gets a `'` in front, so the spreadsheet shows it instead of running it
 * (OWASP CSV injection); a field with a comma, quote or line break is quoted, quotes doubled.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
/** An amount as admin presents it: a plain decimal, which no spreadsheet reads as a formula. */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** A text column's field: never a formula. */
export function csvText(value: string): string {
  if (FORMULA_START.test(value)) return quoted(`'${value}`);
  return NEEDS_QUOTES.test(value) ? quoted(value) : value;
}

/**
 * An amount column's field: the decimal as it is, a negative one too, so that the spreadsheet
 * reads a number; anything else in the column is text.
 */
export function csvAmount(value: string): string {
  return PLAIN_DECIMAL.test(value) ? value : csvText(value);
}

/** One CSV record, CRLF-terminated. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.join(',')}\r\n`;
}

function quoted(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
