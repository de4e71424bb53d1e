import { parseUsageEvent } from '../events/usage-event';
import { usageEventText } from '../events/usage-event.fixtures';
import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();

describe('rating charges audio tokens at the model’s audio rates', () => {
  it('gpt-4o-realtime-preview, 1000 prompt tokens (600 audio) and 200 output: 0.030000, not 0.009000', () => {
    // 400 text at 5/M + 600 audio at 40/M + 200 output at 20/M.
    const rated = rateUsage(
      ratedEvent({
        model: 'gpt-4o-realtime-preview',
        input_tokens: 1000,
        input_audio_tokens: 600,
        output_tokens: 200,
      }),
      catalog,
    );
    expect(rated).toMatchObject({ provider: 'openai', cost: '0.030000', confidence: 1 });
    expect(rated.breakdown).toMatchObject({
      input: '0.002000',
      audio: '0.024000',
      output: '0.004000',
    });
    expect(rated.quantities).toMatchObject({ input_audio_tokens: 600, output_audio_tokens: 0 });
  });

  it('output audio tokens are part of output_tokens and cost the output audio rate', () => {
    // gpt-audio: 2.5/M text in, 10/M text out, 64/M audio out.
    const rated = rateUsage(
      ratedEvent({
        model: 'gpt-audio',
        input_tokens: 1000,
        output_tokens: 1000,
        output_audio_tokens: 750,
      }),
      catalog,
    );
    expect(rated.breakdown).toMatchObject({
      input: '0.002500',
      output: '0.002500',
      audio: '0.048000',
    });
    expect(rated.cost).toBe('0.053000');
  });

  it('audio among the cache reads: as few as the figures force, at the cached audio rate', () => {
    // 1000 prompt = 800 cached + 600 audio - 400 both; the reference, told 400 cached audio tokens, says 0.023.
    const rated = rateUsage(
      ratedEvent({
        model: 'gpt-4o-realtime-preview',
        input_tokens: 1000,
        cached_input_tokens: 800,
        input_audio_tokens: 600,
        output_tokens: 200,
        output_audio_tokens: 150,
      }),
      catalog,
    );
    expect(rated.breakdown).toMatchObject({
      input: '0.000000',
      cached_input: '0.001000',
      audio: '0.021000',
      output: '0.001000',
    });
    expect(rated.cost).toBe('0.023000');
  });

  it('audio among the cache writes is charged once, at the audio rate: 0.033000, not 0.033500', () => {
    // 1000 prompt = 300 cache writes + 800 audio - 100 both. gpt-4o-realtime-preview has no
    // cache-write price: 200 text writes at 5/M + 800 audio at 40/M; calcPrice says 0.033.
    const rated = rateUsage(
      ratedEvent({
        model: 'gpt-4o-realtime-preview',
        input_tokens: 1000,
        cache_write_tokens: 300,
        input_audio_tokens: 800,
      }),
      catalog,
    );
    expect(rated.breakdown).toMatchObject({
      input: '0.000000',
      cache_write: '0.001000',
      audio: '0.032000',
    });
    expect(rated.cost).toBe('0.033000');
  });

  it('audio among cache reads and cache writes: each audio token once (calcPrice: 0.01425)', () => {
    // 1000 prompt = 500 reads + 300 writes + 800 audio - 600 both: 500 cached audio, 100 written.
    const rated = rateUsage(
      ratedEvent({
        model: 'gpt-4o-realtime-preview',
        input_tokens: 1000,
        cached_input_tokens: 500,
        cache_write_tokens: 300,
        input_audio_tokens: 800,
      }),
      catalog,
    );
    expect(rated.breakdown).toMatchObject({
      input: '0.000000',
      cached_input: '0.000000',
      cache_write: '0.001000',
      audio: '0.013250',
    });
    expect(rated.cost).toBe('0.014250');
  });

  it('a model without audio rates charges audio tokens as text', () => {
    const withAudio = rateUsage(
      ratedEvent({ input_tokens: 1000, input_audio_tokens: 600, output_tokens: 500 }),
      catalog,
    );
    expect(withAudio.breakdown.audio).toBe('0.000000');
    expect(withAudio.cost).toBe('0.000450');
  });

  it('the validator takes the audio fields and refuses more audio than tokens', () => {
    const parse = (data: Record<string, unknown>) =>
      parseUsageEvent(usageEventText({ service: 'llm', model: 'gpt-audio', ...data }), {
        now: new Date('2026-11-22T10:00:00Z'),
      });
    expect(
      parse({ input_tokens: 10, input_audio_tokens: 10, output_tokens: 5, output_audio_tokens: 5 }),
    ).toMatchObject({
      ok: true,
      value: { data: { input_audio_tokens: 10, output_audio_tokens: 5 } },
    });
    expect(parse({ input_tokens: 10, input_audio_tokens: 11 })).toEqual({
      ok: false,
      reason: 'schema_violation',
      error:
        'data.input_audio_tokens: must not exceed input_tokens (audio tokens are part of the prompt)',
    });
    expect(parse({ output_tokens: 0, output_audio_tokens: 1 })).toMatchObject({
      ok: false,
      reason: 'schema_violation',
    });
  });
});
