import fc from 'fast-check';
import { defaultCatalog } from '../rating/default-catalog';
import { rateUsage } from '../rating/rate-usage';
import { ratedEvent } from '../rating/rating.fixtures';
import { parseWith } from './parse-result';
import { changes, mutated, singleChanges } from './shape-mutations.fixtures';
import type { Change } from './shape-mutations.fixtures';
import { parseUsageRated, readUsageRated, usageRatedSchema } from './usage-rated';

const rated = rateUsage(
  ratedEvent({ input_tokens: 1200, cached_input_tokens: 200, output_tokens: 300 }),
  defaultCatalog(),
);

describe('usage.rated read by hand agrees with its schema', () => {
  it('reads a record rating wrote as the schema does', () => {
    const record = mutated(rated, []);
    expect(readUsageRated(record)).toStrictEqual(usageRatedSchema.parse(record));
    expect(readUsageRated(record)).toStrictEqual(rated);
  });

  it('fills in what the schema defaults: schema_version 1 and a requests part of 0', () => {
    const record = mutated(rated, [
      { where: '', field: 'schema_version', value: undefined },
      { where: 'breakdown', field: 'requests', value: undefined },
    ]);
    expect(readUsageRated(record)).toMatchObject({
      schema_version: 1,
      breakdown: { requests: '0.000000' },
    });
  });

  describe('answers as the schema alone would', () => {
    const fields = {
      '': Object.keys(rated),
      breakdown: Object.keys(rated.breakdown),
      quantities: Object.keys(rated.quantities),
    };
    const agree = (applied: Change[]) => {
      const record = mutated(rated, applied);
      const text = JSON.stringify(record);
      expect(parseUsageRated(text)).toStrictEqual(parseWith(usageRatedSchema, text));
      // The reader leaves to zod only what it refuses, and a `__proto__` key.
      if (readUsageRated(record) === undefined && usageRatedSchema.safeParse(record).success)
        expect(applied.map((change) => change.field)).toContain('__proto__');
    };

    it('with any one field changed to an odd value or removed', () => {
      for (const change of singleChanges(fields)) agree([change]);
    });

    it('with up to four fields changed at random', () => {
      fc.assert(fc.property(changes(fields), agree), { numRuns: 3_000 });
    });
  });

  it('refuses with the schema’s message, naming the field', () => {
    expect(parseUsageRated(JSON.stringify({ ...rated, cost: '-0.1' }))).toEqual({
      ok: false,
      reason: 'schema_violation',
      error: 'cost: must not be negative',
    });
    expect(parseUsageRated(JSON.stringify({ ...rated, schema_version: 2 }))).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      error: expect.stringMatching(/^schema_version: /),
    });
  });
});
