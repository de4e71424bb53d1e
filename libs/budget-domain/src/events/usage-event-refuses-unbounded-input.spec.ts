import { defaultCatalog } from '../rating/default-catalog';
import { rateUsage } from '../rating/rate-usage';
import { IDENTIFIER_MAX_LENGTH, QUANTITY_LIMITS, parseUsageEvent } from './usage-event';
import { usageEventText } from './usage-event.fixtures';

const NOW = new Date('2026-11-22T10:00:00Z');
const parse = (raw: string) => parseUsageEvent(raw, { now: NOW });

function event(data: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}): string {
  return usageEventText(
    {
      api_key_id: 'key_7',
      service: 'stt',
      model: 'whisper-1',
      provider: 'openai',
      reservation_id: 'res_1',
      ...data,
    },
    envelope,
  );
}

const audioOf = (raw: string) => {
  const result = parse(raw);
  return result.ok ? result.value.data.audio_seconds : result;
};

describe('a usage event cannot carry a number that grows without bound', () => {
  it.each([
    ['a tiny exponent (2,000,002 digits written out)', '1e-2000000'],
    ['a huge exponent', '1e+2000000'],
    ['a small exponent', '1e2'],
    ['an upper-case exponent', '1E2'],
    ['hexadecimal', '0x10'],
    ['binary', '0b101'],
    ['a trailing point', '1.'],
    ['no leading digit', '.5'],
    ['surrounding spaces', ' 1.5 '],
    ['NaN', 'NaN'],
    ['13 decimals', '1.0000000000001'],
    ['27 digits before the point', '1'.padEnd(27, '0')],
    ['a megabyte of zeros', `0.${'0'.repeat(1_000_000)}1`],
  ])('refuses audio seconds as %s, with a short message', (_case, audio) => {
    const result = parse(event({ audio_seconds: audio }));
    expect(result).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      error: expect.stringMatching(/^data\.audio_seconds: .* is not a decimal number/),
    });
    if (!result.ok) expect(result.error.length).toBeLessThan(200);
  });

  it('refuses a JSON number with more than 12 decimals, however small', () => {
    expect(parse(event({ audio_seconds: 1e-13 }))).toEqual({
      ok: false,
      reason: 'schema_violation',
      error: 'data.audio_seconds: 1e-13 has more than 12 decimals',
    });
    expect(parse(event({ audio_seconds: 5e-324 }))).toMatchObject({
      ok: false,
      reason: 'schema_violation',
    });
  });

  it('refuses a huge JSON number as too large, naming it as it came', () => {
    expect(parse(event({ audio_seconds: 1e300 }))).toEqual({
      ok: false,
      reason: 'quantity_too_large',
      error: `data.audio_seconds: 1e+300 exceeds ${QUANTITY_LIMITS.audio_seconds}`,
    });
  });

  it('keeps negative audio a negative_quantity, as text or number', () => {
    expect(parse(event({ audio_seconds: '-0.5' }))).toMatchObject({
      reason: 'negative_quantity',
      error: 'data.audio_seconds: must not be negative, got -0.5',
    });
    expect(parse(event({ audio_seconds: -1e-300 }))).toMatchObject({ reason: 'negative_quantity' });
  });

  it('accepts plain decimal text and JSON numbers up to 12 decimals and the limit', () => {
    expect(audioOf(event({ audio_seconds: '12.5' }))).toBe('12.5');
    expect(audioOf(event({ audio_seconds: '0.000000000001' }))).toBe('0.000000000001');
    expect(audioOf(event({ audio_seconds: 1e-12 }))).toBe('0.000000000001');
    expect(audioOf(event({ audio_seconds: '86400' }))).toBe('86400');
    expect(audioOf(event({ audio_seconds: 86_400 }))).toBe('86400');
    // JSON.parse turns an exponent number too small for a double into 0.
    expect(audioOf(event({}).replace('"service"', '"audio_seconds":1e-2000000,"service"'))).toBe(
      '0',
    );
  });
});

describe('a usage event cannot carry an identifier that grows without bound or breaks a text column', () => {
  const long = 'x'.repeat(IDENTIFIER_MAX_LENGTH + 1);
  const fields: Array<[string, (value: string) => string]> = [
    ['id', (value) => event({}, { id: value })],
    ['source', (value) => event({}, { source: value })],
    ['type', (value) => event({}, { type: value })],
    ['subject', (value) => event({}, { subject: value })],
    ['data.service', (value) => event({ service: value })],
    ['data.model', (value) => event({ model: value })],
    ['data.provider', (value) => event({ provider: value })],
    ['data.api_key_id', (value) => event({ api_key_id: value })],
    ['data.reservation_id', (value) => event({ reservation_id: value })],
  ];

  it.each(fields)('refuses %s longer than the limit', (path, withValue) => {
    expect(parse(withValue(long))).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      error: expect.stringMatching(new RegExp(`^${path}: Too big`)),
    });
  });

  it.each(fields)('refuses a NUL in %s', (path, withValue) => {
    expect(parse(withValue('acct\u0000x'))).toEqual({
      ok: false,
      reason: 'schema_violation',
      error: `${path}: must not contain control characters or unpaired surrogates`,
    });
  });

  it.each([
    ['a tab', 'acct\tx'],
    ['a newline', 'acct\nx'],
    ['DEL', 'acct\u007fx'],
    ['a C1 control', 'acct\u0085x'],
    ['an unpaired surrogate', 'acct\ud800x'],
  ])('refuses %s in the subject', (_case, subject) => {
    expect(parse(event({}, { subject }))).toMatchObject({
      ok: false,
      reason: 'schema_violation',
      error: expect.stringContaining('subject:'),
    });
  });

  it('accepts identifiers at the limit, in any script', () => {
    const atLimit = 'é'.repeat(IDENTIFIER_MAX_LENGTH);
    const result = parse(
      event(
        { model: atLimit },
        { subject: `acct_${'😀'.repeat((IDENTIFIER_MAX_LENGTH - 6) / 2)}` },
      ),
    );
    expect(result.ok).toBe(true);
  });
});

describe('the largest valid event', () => {
  it('rates into a record far below the 1 MB Kafka takes by default', () => {
    const longest = (prefix: string) => prefix.padEnd(IDENTIFIER_MAX_LENGTH, '€');
    const raw = event(
      {
        service: 'llm',
        model: longest('m'),
        provider: longest('p'),
        api_key_id: longest('k'),
        reservation_id: longest('r'),
        input_tokens: QUANTITY_LIMITS.tokens,
        output_tokens: QUANTITY_LIMITS.tokens,
        audio_seconds: '86399.999999999999',
        characters: QUANTITY_LIMITS.characters,
        images: QUANTITY_LIMITS.images,
      },
      { id: longest('i'), source: longest('s'), type: longest('t'), subject: longest('a') },
    );
    const parsed = parse(raw);
    if (!parsed.ok) throw new Error(parsed.error);
    const bytes = Buffer.byteLength(JSON.stringify(rateUsage(parsed.value, defaultCatalog())));
    expect(bytes).toBeLessThan(16 * 1024);
  });
});
