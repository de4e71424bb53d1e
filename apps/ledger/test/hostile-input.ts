import fc from 'fast-check';

/** Text an attacker may send: any string, any bytes, or one of the `likely` values. */
export const hostileText = (...likely: string[]): fc.Arbitrary<string> =>
  fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(...likely));

/** Any JSON value built of `text`: a scalar, null, a short array, or one of `more`. */
export const hostileValue = (
  text: fc.Arbitrary<string>,
  ...more: Array<fc.Arbitrary<unknown>>
): fc.Arbitrary<unknown> =>
  fc.oneof(
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(text, { maxLength: 3 }),
    ...more,
  );
