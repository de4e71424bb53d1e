import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { defaultCatalog } from './default-catalog';
import { estimateCost, rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();

describe('rating charges each part of the prompt once, at its own price', () => {
  it('gpt-4o-mini: 1000 input + 500 output tokens cost 0.000450', () => {
    const rated = rateUsage(ratedEvent({ input_tokens: 1000, output_tokens: 500 }), catalog);
    expect(rated).toMatchObject({
      schema_version: 1,
      id: 'req_1',
      source: 'gw',
      account_id: 'acct_1',
      api_key_id: 'key_1',
      occurred_at: '2026-11-22T10:00:00.000Z',
      service: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini',
      cost: '0.000450',
      currency: 'USD',
      confidence: 1,
      price_version: 'genai-prices@0.1.8+local.5:openai/gpt-4o-mini@1970-01-01',
      reservation_id: null,
    });
    expect(rated.breakdown).toEqual({
      input: '0.000150',
      output: '0.000300',
      cached_input: '0.000000',
      cache_write: '0.000000',
      audio: '0.000000',
      characters: '0.000000',
      images: '0.000000',
      requests: '0.000000',
      markup: '0.000000',
      discount: '0.000000',
    });
    expect(rated.quantities).toEqual({
      input_tokens: 1000,
      output_tokens: 500,
      cached_input_tokens: 0,
      cache_write_tokens: 0,
      input_audio_tokens: 0,
      output_audio_tokens: 0,
      audio_seconds: '0',
      characters: 0,
      images: 0,
    });
  });

  it('claude-3-5-sonnet with cache reads and writes: the cached part is not also charged as input', () => {
    // 10,000 prompt tokens = 6,000 fresh (3.00/M) + 3,000 cache reads (0.30/M) + 1,000 cache writes (3.75/M); 200 output (15/M).
    const rated = rateUsage(
      ratedEvent({
        model: 'claude-3-5-sonnet-20241022',
        input_tokens: 10_000,
        cached_input_tokens: 3_000,
        cache_write_tokens: 1_000,
        output_tokens: 200,
      }),
      catalog,
    );
    expect(rated.provider).toBe('anthropic');
    expect(rated.breakdown).toMatchObject({
      input: '0.018000',
      cached_input: '0.000900',
      cache_write: '0.003750',
      output: '0.003000',
    });
    expect(rated.cost).toBe('0.025650');
  });

  it('a model without a cache price charges cached tokens at the input price', () => {
    const rated = rateUsage(
      ratedEvent({
        model: 'text-embedding-3-small',
        service: 'embedding',
        input_tokens: 1_000_000,
        cached_input_tokens: 500_000,
      }),
      catalog,
    );
    expect(rated.breakdown.input).toBe('0.010000');
    expect(rated.breakdown.cached_input).toBe('0.010000');
    expect(rated.cost).toBe('0.020000');
  });

  it('long prompts use the long-context tier for every token of the request', () => {
    // claude-opus-4-6 had long-context pricing (10/M above 200k prompt tokens) until 2026-03-13.
    const at = (tokens: number, time: string) =>
      rateUsage(ratedEvent({ model: 'claude-opus-4-6', input_tokens: tokens }, time), catalog);
    expect(at(200_000, '2026-03-01T00:00:00.000Z').breakdown.input).toBe('1.000000');
    expect(at(200_001, '2026-03-01T00:00:00.000Z').breakdown.input).toBe('2.000010');
    expect(at(200_001, '2026-03-13T00:00:00.000Z').breakdown.input).toBe('1.000005');
  });

  it('speech, text-to-speech and images are priced per minute, per character and per image', () => {
    expect(
      rateUsage(ratedEvent({ service: 'stt', model: 'whisper-1', audio_seconds: '90' }), catalog)
        .cost,
    ).toBe('0.009000');
    expect(
      rateUsage(ratedEvent({ service: 'tts', model: 'tts-1', characters: 1000 }), catalog).cost,
    ).toBe('0.015000');
    expect(
      rateUsage(ratedEvent({ service: 'image', model: 'dall-e-3', images: 3 }), catalog).cost,
    ).toBe('0.120000');
  });

  it('estimates a call before it happens at its worst case: every output token used', () => {
    const at = new Date('2026-11-22T10:00:00Z');
    expect(
      estimateCost(
        { service: 'llm', model: 'gpt-4o-mini', inputTokens: 1000, maxOutputTokens: 500, at },
        catalog,
      ).toFixed(6),
    ).toBe('0.000450');
    expect(
      estimateCost(
        {
          service: 'llm',
          provider: 'anthropic',
          model: 'claude-3-5-sonnet',
          inputTokens: 0,
          maxOutputTokens: 1_000_000,
          at,
        },
        catalog,
      ).toFixed(),
    ).toBe('15');
    expect(
      estimateCost(
        {
          service: 'llm',
          model: 'gpt-4o-mini',
          inputTokens: 1000,
          maxOutputTokens: 500,
          powerLevel: 'precision',
          at,
        },
        catalog,
      ).toFixed(),
    ).toBe('0.0005625');
    expect(
      estimateCost(
        {
          service: 'llm',
          model: 'gpt-4o-mini',
          inputTokens: 1000,
          maxOutputTokens: 500,
          powerLevel: 'eco',
          at,
        },
        catalog,
      ).toFixed(),
    ).toBe('0.00036');
  });

  it('property: rating is linear in quantities', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 20 }),
        (input, output, cachedShare, factor) => {
          const cached = Math.min(cachedShare, input);
          const once = rateUsage(
            ratedEvent({ input_tokens: input, output_tokens: output, cached_input_tokens: cached }),
            catalog,
          );
          const scaled = rateUsage(
            ratedEvent({
              input_tokens: input * factor,
              output_tokens: output * factor,
              cached_input_tokens: cached * factor,
            }),
            catalog,
          );
          expect(new Decimal(scaled.cost).equals(new Decimal(once.cost).times(factor))).toBe(true);
          const parts = Object.entries(once.breakdown).filter(
            ([name]) => name !== 'markup' && name !== 'discount',
          );
          const sum = parts.reduce((total, [, value]) => total.plus(value), new Decimal(0));
          expect(sum.equals(new Decimal(once.cost))).toBe(true);
        },
      ),
    );
  });
});
