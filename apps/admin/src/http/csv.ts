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

/**
 * Content-Disposition of a download named after caller-given text (an account id may hold any
 * text a gateway reported): an ASCII `filename` with anything else as `_`, and the exact name
 * as RFC 5987 `filename*`. A header value outside Latin-1 would fail the whole response.
 */
export function attachmentNamed(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9_.-]/g, '_');
  const exact = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}
