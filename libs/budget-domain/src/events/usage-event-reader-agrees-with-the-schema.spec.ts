import fc from 'fast-check';
import { changes, mutated, singleChanges } from './shape-mutations.fixtures';
import type { Change } from './shape-mutations.fixtures';
import { parseUsageEvent, readUsageEventShape, usageEventSchema } from './usage-event';

/** An event with every field the schema knows, optional ones included. */
const event = {
  schema_version: 1,
  specversion: '1.0',
  id: 'req_1',
  source: 'gateway',
  type: 'ai.usage',
  subject: 'acct_1',
  time: '2026-12-04T10:00:00.000Z',
  datacontenttype: 'application/json',
  data: {
    api_key_id: 'key_1',
    service: 'llm',
    model: 'gpt-4o',
    provider: 'openai',
    input_tokens: 1200,
    output_tokens: 300,
    cached_input_tokens: 200,
    cache_write_tokens: 0,
    input_audio_tokens: 0,
    output_audio_tokens: 0,
    audio_seconds: '1.5',
    characters: 0,
    images: 0,
    power_level: 'eco',
    request_type: 'chat',
    reservation_id: 'res_1',
    metadata: { team: 'search' },
  },
};

describe('usage.events read by hand agrees with its schema', () => {
  it('reads an event as the schema does, keys in the same order', () => {
    const record = mutated(event, []);
    const read = readUsageEventShape(record);
    expect(read).toStrictEqual(usageEventSchema.parse(record));
    expect(JSON.stringify(read)).toBe(JSON.stringify(usageEventSchema.parse(record)));
  });

  it('fills in what the schema defaults and leaves out what it leaves out', () => {
    const record = {
      specversion: '1.0',
      id: 'req_2',
      source: 'gateway',
      type: 'ai.usage',
      subject: 'acct_1',
      time: '2026-12-04T10:00:00Z',
      data: { service: 'llm', model: 'gpt-4o', input_tokens: 10 },
    };
    expect(readUsageEventShape(record)).toStrictEqual({
      ...record,
      data: {
        service: 'llm',
        model: 'gpt-4o',
        input_tokens: 10,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        input_audio_tokens: 0,
        output_audio_tokens: 0,
        audio_seconds: 0,
        characters: 0,
        images: 0,
      },
    });
  });

  describe('answers as the schema alone would', () => {
    // Every field the schema names, so a field added to it is changed here too.
    const fields = {
      '': Object.keys(usageEventSchema.shape),
      data: Object.keys(usageEventSchema.shape.data.shape),
    };
    const agree = (applied: Change[]) => {
      const record = mutated(event, applied);
      const read = readUsageEventShape(record);
      const schema = usageEventSchema.safeParse(record);
      if (read !== undefined) {
        expect(schema.success).toBe(true);
        expect(JSON.stringify(read)).toBe(JSON.stringify(schema.data));
        expect(read).toStrictEqual(schema.data);
      } else if (schema.success) {
        // The reader leaves to zod only what it refuses, and a `__proto__` key in metadata.
        expect(applied.map((change) => change.field)).toContain('__proto__');
      }
    };

    it('with any one field changed to an odd value or removed', () => {
      for (const change of singleChanges(fields)) agree([change]);
    });

    it('with up to four fields changed at random', () => {
      fc.assert(fc.property(changes(fields), agree), { numRuns: 3_000 });
    });
  });

  it('leaves metadata with a `__proto__` key to the schema, whose copy has no such key', () => {
    const text = JSON.stringify(event).replace(
      '"metadata":{',
      '"metadata":{"__proto__":{"polluted":true},',
    );
    expect(readUsageEventShape(JSON.parse(text))).toBeUndefined();
    const parsed = parseUsageEvent(text, { now: new Date('2026-12-04T10:00:00Z') });
    expect(parsed.ok && JSON.stringify(parsed.value.data.metadata)).toBe('{"team":"search"}');
    expect(parsed.ok && (parsed.value.data.metadata as Record<string, unknown>)['polluted']).toBe(
      undefined,
    );
  });

  it('refuses with the schema’s message, naming the field', () => {
    const now = new Date('2026-12-04T10:00:00Z');
    const text = JSON.stringify({ ...event, data: { ...event.data, model: 'a\u0000b' } });
    expect(parseUsageEvent(text, { now })).toEqual({
      ok: false,
      reason: 'schema_violation',
      error: 'data.model: must not contain control characters or unpaired surrogates',
    });
    expect(parseUsageEvent(JSON.stringify({ ...event, specversion: '2.0' }), { now })).toEqual({
      ok: false,
      reason: 'schema_violation',
      error: expect.stringMatching(/^specversion: /),
    });
  });
});
