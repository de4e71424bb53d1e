/**
 * Text of printable ASCII from a fixed seed, which no compression shortens: PostgreSQL
 * compresses a long repetitive value below an index row's limit, but not this.
 */
export function incompressibleText(length: number): string {
  let seed = 42;
  let text = '';
  for (let i = 0; i < length; i += 1) {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    text += String.fromCharCode(0x21 + (seed % 0x5d));
  }
  return text;
}

/**
 * Values that a payload's schema may let through and PostgreSQL then refuses, or that a reader
 * must refuse by type: wrong JSON types, a NUL and a lone surrogate (text holds neither), text
 * longer than an index row, numbers past an integer column or a numeric sum, timestamps whose
 * offset or year PostgreSQL does not take.
 */
export const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53,
  1e21,
  1e300,
  '',
  'x',
  'a\u0000b',
  '\ud800',
  incompressibleText(3000),
  '-1',
  '0',
  '1e5',
  '0.0000000000001',
  '1000000.000000000001',
  '1000000000000000',
  '99999999999999999999999999.999999999999',
  '9223372036854775808',
  '2026-12-01T10:00:00+16:00',
  '9999-12-31T23:59:59-14:00',
  '0001-01-01T00:00:00+14:00',
  '2026-02-30T00:00:00Z',
  'yesterday',
  [],
  ['a\u0000'],
  {},
  { note: 'a\u0000' },
];

/** Records that are not a payload at all: no JSON, another JSON type, bytes that are not UTF-8. */
export const MALFORMED_RECORDS: ReadonlyArray<string | Buffer | null> = [
  null,
  '',
  'not json',
  '{"id":',
  '[]',
  '"x"',
  '1',
  '{}',
  Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
];

/**
 * Each field of a payload (and of the objects and first array items it holds) changed to each
 * hostile value, and removed, plus a field it does not know: one JSON text per change. `make`
 * is called for every variant, so that each carries identities of its own and none is taken
 * for a repeat of another.
 */
export function hostileVariants(make: () => Record<string, unknown>): string[] {
  const variants: string[] = [];
  for (const path of fieldPaths(make())) {
    for (const value of [undefined, ...HOSTILE_VALUES]) {
      const payload = make();
      setAt(payload, path, value);
      variants.push(JSON.stringify(payload));
    }
  }
  const payload = make();
  payload['unknown_field'] = 'a\u0000b';
  variants.push(JSON.stringify(payload));
  return variants;
}

type Path = ReadonlyArray<string | number>;

function fieldPaths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.length > 0 ? fieldPaths(value[0], [...at, 0]) : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, field]) => [
    [...at, key],
    ...fieldPaths(field, [...at, key]),
  ]);
}

function setAt(target: Record<string, unknown>, path: Path, value: unknown): void {
  let holder: unknown = target;
  for (const step of path.slice(0, -1)) holder = (holder as Record<string | number, unknown>)[step];
  const last = path[path.length - 1]!;
  if (value === undefined) delete (holder as Record<string | number, unknown>)[last];
  else (holder as Record<string | number, unknown>)[last] = value;
}
