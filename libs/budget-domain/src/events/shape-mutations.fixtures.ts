import fc from 'fast-check';

/** Values near and across the checks of Tally's payload schemas, for any field. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  100_000_000,
  100_000_001,
  2 ** 53,
  '',
  ' ',
  'x',
  'x'.repeat(256),
  'x'.repeat(257),
  'a\u0000b',
  'a\u0007b',
  '\ud800',
  '1.0',
  'USD',
  'US',
  'llm',
  'image',
  'LLM',
  'eco',
  'turbo',
  '0',
  '-0',
  '-1',
  '1.5',
  '0.000001',
  '1e5',
  '0.0000000000001',
  '12345678901234567890123456.5',
  '123456789012345678901234567',
  '2026-11-22T10:00:00.000Z',
  '2026-13-01',
  'yesterday',
  '1200',
  [],
  {},
  { input: '1' },
];
const oddValue = fc.oneof(
  { arbitrary: fc.constantFrom(...ODD_VALUES), weight: 3 },
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

export interface Change {
  readonly where: string;
  readonly field: string;
  /** undefined removes the field. */
  readonly value: unknown;
}

/** The fields worth changing in a payload (at '') and in each object it holds, by key. */
export type Fields = Record<string, readonly string[]>;

const withOddKeys = (names: readonly string[]) => [...names, 'extra', '__proto__'];

/** Every change of one field to one odd value, and every removal. */
export function singleChanges(fields: Fields): Change[] {
  return Object.entries(fields).flatMap(([where, names]) =>
    withOddKeys(names).flatMap((field) =>
      [undefined, ...ODD_VALUES].map((value) => ({ where, field, value })),
    ),
  );
}

/** One to four changes anywhere, to odd or random values. */
export function changes(fields: Fields): fc.Arbitrary<Change[]> {
  const change = fc.oneof(
    ...Object.entries(fields).map(([where, names]) =>
      fc.record({
        where: fc.constant(where),
        field: fc.constantFrom(...withOddKeys(names)),
        value: fc.option(oddValue, { nil: undefined, freq: 8 }),
      }),
    ),
  );
  return fc.array(change, { minLength: 1, maxLength: 4 });
}

/** A copy of `payload` with the changes made as JSON.parse would make them (own keys). */
export function mutated(payload: unknown, applied: readonly Change[]): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
  for (const { where, field, value } of applied) {
    const target = where ? copy[where] : copy;
    if (!isObject(target)) continue;
    if (value === undefined) delete target[field];
    else
      Object.defineProperty(target, field, {
        // A copy: a later change inside this value must not alter the shared odd value.
        value: isObject(value) ? JSON.parse(JSON.stringify(value)) : value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
