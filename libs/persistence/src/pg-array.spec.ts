import fc from 'fast-check';
import { pgArray } from './pg-array';

// pg's own conversion of an array parameter, which pgArray replaces on hot paths.
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => string };

describe('an array parameter as one literal', () => {
  it('quotes every element, escapes quotes and backslashes, and writes null as NULL', () => {
    expect(pgArray(['acct_1', '0.500000', '2026-12-03T10:00:00.000Z'])).toBe(
      '{"acct_1","0.500000","2026-12-03T10:00:00.000Z"}',
    );
    expect(pgArray(['["gw","req_1"]', 'back\\slash', null, 'NULL', '', '{a,b}'])).toBe(
      '{"[\\"gw\\",\\"req_1\\"]","back\\\\slash",NULL,"NULL","","{a,b}"}',
    );
    expect(pgArray([])).toBe('{}');
    expect(pgArray([null])).toBe('{NULL}');
    expect(pgArray(['a', undefined as unknown as null])).toBe('{"a",NULL}');
  });

  it('is what pg itself sends for the array, whatever the text', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('"', '\\', ',', '{', '}', ' ', 'a', 'é', '\u0001') }),
    );
    fc.assert(
      fc.property(fc.array(fc.option(text, { nil: null })), (values) => {
        expect(pgArray(values)).toBe(prepareValue(values));
      }),
      { numRuns: 2_000 },
    );
  });
});
