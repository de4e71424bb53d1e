import { parseUsageEvent, usageDedupKey } from './usage-event';
import { usageEventText } from './usage-event.fixtures';

const NOW = new Date('2026-11-22T10:00:00Z');

function event(data: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}): string {
  return usageEventText(
    {
      api_key_id: 'key_7',
      service: 'llm',
      model: 'gpt-4o-mini',
      input_tokens: 1000,
      output_tokens: 500,
      ...data,
    },
    envelope,
  );
}

const parse = (raw: string | Buffer | null) => parseUsageEvent(raw, { now: NOW });

describe('usage event validation at the edge', () => {
  it('accepts a valid event, defaulting missing quantities to 0 and normalising time and audio', () => {
    const result = parse(
      Buffer.from(event({ audio_seconds: 1.5 }, { time: '2026-11-22T10:59:00+01:00' })),
    );
    expect(result).toEqual({
      ok: true,
      value: {
        specversion: '1.0',
        id: 'req_1',
        source: 'gateway-eu-1',
        type: 'ai.usage',
        subject: 'acct_42',
        time: '2026-11-22T09:59:00.000Z',
        data: {
          api_key_id: 'key_7',
          service: 'llm',
          model: 'gpt-4o-mini',
          input_tokens: 1000,
          output_tokens: 500,
          cached_input_tokens: 0,
          cache_write_tokens: 0,
          input_audio_tokens: 0,
          output_audio_tokens: 0,
          audio_seconds: '1.5',
          characters: 0,
          images: 0,
          reservation_id: null,
        },
      },
    });
  });

  it.each([
    ['an empty record', null, 'invalid_json'],
    ['blank text', '  ', 'invalid_json'],
    ['broken JSON', '{"specversion":', 'invalid_json'],
    ['a missing id', event({}, { id: undefined }), 'schema_violation'],
    ['a missing subject', event({}, { subject: '' }), 'schema_violation'],
    ['a missing time', event({}, { time: undefined }), 'schema_violation'],
    ['an unparseable time', event({}, { time: 'yesterday' }), 'schema_violation'],
    ['another CloudEvents version', event({}, { specversion: '0.3' }), 'schema_violation'],
    // DESIGN 3: a reader takes a missing schema_version as 1 and refuses any other.
    ['another payload version', event({}, { schema_version: 2 }), 'schema_violation'],
    ['a payload version as text', event({}, { schema_version: '1' }), 'schema_violation'],
    ['a quantity sent as text', event({ input_tokens: '1000' }), 'schema_violation'],
    ['a fractional token count', event({ output_tokens: 1.5 }), 'schema_violation'],
    ['an unknown power level', event({ power_level: 'turbo' }), 'schema_violation'],
    [
      'cached tokens beyond the prompt',
      event({ input_tokens: 100, cached_input_tokens: 80, cache_write_tokens: 30 }),
      'schema_violation',
    ],
    [
      'audio tokens beyond the prompt',
      event({ input_tokens: 100, input_audio_tokens: 101 }),
      'schema_violation',
    ],
    [
      'audio tokens beyond the output',
      event({ output_tokens: 10, output_audio_tokens: 11 }),
      'schema_violation',
    ],
    ['negative audio tokens', event({ output_audio_tokens: -1 }), 'negative_quantity'],
    ['absurd audio tokens', event({ input_audio_tokens: 100_000_001 }), 'quantity_too_large'],
    ['audio seconds that are not a number', event({ audio_seconds: 'long' }), 'schema_violation'],
    ['infinite audio seconds', event({ audio_seconds: 'Infinity' }), 'schema_violation'],
    ['negative tokens', event({ input_tokens: -1 }), 'negative_quantity'],
    ['negative images', event({ images: -2 }), 'negative_quantity'],
    ['negative audio', event({ audio_seconds: '-0.5' }), 'negative_quantity'],
    ['absurd tokens', event({ output_tokens: 100_000_001 }), 'quantity_too_large'],
    ['absurd characters', event({ characters: 100_000_001 }), 'quantity_too_large'],
    ['absurd images', event({ images: 10_001 }), 'quantity_too_large'],
    // Whole numbers past 2^53 are absurd too, not malformed.
    ['tokens past 2^53', event({ input_tokens: 1e20 }), 'quantity_too_large'],
    ['characters of 1e300', event({ characters: 1e300 }), 'quantity_too_large'],
    ['absurd audio', event({ audio_seconds: 86_401 }), 'quantity_too_large'],
    ['an unknown service', event({ service: 'video' }), 'unknown_service'],
    ['a time far ahead', event({}, { time: '2026-11-22T10:05:01Z' }), 'time_in_future'],
    ['a time older than 35 days', event({}, { time: '2026-10-17T09:59:59Z' }), 'time_too_old'],
  ])('refuses %s with a reason code', (_case, raw, reason) => {
    const result = parse(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.error.length).toBeGreaterThan(0);
    }
  });

  it('reads an event of schema_version 1 as one without it', () => {
    expect(parse(event({}, { schema_version: 1 }))).toEqual(parse(event()));
  });

  it('names the field that broke the schema', () => {
    expect(parse(event({ input_tokens: '1000' }))).toEqual({
      ok: false,
      reason: 'schema_violation',
      error: 'data.input_tokens: Invalid input: expected number, received string',
    });
  });

  it('names the limit an absurd whole number exceeds', () => {
    expect(parse(event({ output_tokens: 1e20 }))).toEqual({
      ok: false,
      reason: 'quantity_too_large',
      error: 'data.output_tokens: 100000000000000000000 exceeds 100000000',
    });
  });

  it('accepts the edges of the time window and honours configured limits', () => {
    expect(parse(event({}, { time: '2026-11-22T10:05:00Z' })).ok).toBe(true);
    expect(parse(event({}, { time: '2026-10-18T10:00:00Z' })).ok).toBe(true);
    const strict = parseUsageEvent(event({}, { time: '2026-11-22T08:00:00Z' }), {
      now: NOW,
      maxAgeMs: 3_600_000,
    });
    expect(strict).toMatchObject({ ok: false, reason: 'time_too_old' });
  });

  it('identifies an event by (source, id)', () => {
    expect(usageDedupKey({ source: 'gw', id: 'a' })).toBe('["gw","a"]');
    expect(usageDedupKey({ source: 'g', id: 'wa' })).not.toBe(
      usageDedupKey({ source: 'gw', id: 'a' }),
    );
  });
});
