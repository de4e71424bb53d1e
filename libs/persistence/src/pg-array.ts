const NEEDS_ESCAPE = /["\\]/;

/**
 * An array parameter as PostgreSQL's array literal (`{"a","b",NULL}`), what pg itself would
 * send for it, built with one join. pg's own conversion appends element by element and quotes
 * each through two regular expressions: for the thousands of elements a slice's statements
 * carry, that was the ledger's largest single source of garbage (docs/benchmarks). Cast it in SQL
 * as the array it is (`$1::text[]`, `$2::numeric[]`).
 */
export function pgArray(values: ReadonlyArray<string | null>): string {
  if (values.length === 0) return '{}';
  if (values.every(isPlain)) return '{"' + values.join('","') + '"}';
  return '{' + values.map(element).join(',') + '}';
}

function isPlain(value: string | null): value is string {
  return typeof value === 'string' && !NEEDS_ESCAPE.test(value);
}

/** As pg writes an element: anything but a string (null, or undefined despite the types) is NULL. */
function element(value: string | null): string {
  if (typeof value !== 'string') return 'NULL';
  // Tested first: a replace that matches nothing still allocates, and most columns with a NULL
  // (a line's reservation) have nothing to escape.
  return NEEDS_ESCAPE.test(value) ? '"' + value.replace(/["\\]/g, '\\$&') + '"' : '"' + value + '"';
}
