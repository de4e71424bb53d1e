import { parseUsageEvent } from '@tally/budget-domain';
import { UnrecognisedResponseError, usageFromProviderResponse } from './provider-response';
import { buildUsageEvent } from './usage-event.factory';

const context = { accountId: 'acct_42', apiKeyId: 'key_7' };

describe('usage from a provider response body', () => {
  it('OpenAI chat completions: prompt_tokens already includes the cached tokens', () => {
    const usage = usageFromProviderResponse(
      'openai',
      {
        model: 'gpt-4o-mini-2024-07-18',
        usage: {
          prompt_tokens: 1200,
          completion_tokens: 300,
          total_tokens: 1500,
          prompt_tokens_details: { cached_tokens: 1000 },
        },
      },
      context,
    );
    expect(usage).toEqual({
      accountId: 'acct_42',
      apiKeyId: 'key_7',
      service: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 1000,
      cacheWriteTokens: 0,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
    });
  });

  it('OpenAI audio: audio tokens are parts of prompt and completion tokens, and Tally prices them', () => {
    const usage = usageFromProviderResponse(
      'openai',
      {
        model: 'gpt-4o-audio-preview-2024-12-17',
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 800,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 600 },
          completion_tokens_details: { audio_tokens: 700, reasoning_tokens: 0 },
        },
      },
      context,
    );
    expect(usage).toMatchObject({
      inputTokens: 1000,
      inputAudioTokens: 600,
      outputTokens: 800,
      outputAudioTokens: 700,
    });
    const event = buildUsageEvent(usage, 'gateway-eu-1');
    expect(parseUsageEvent(JSON.stringify(event), { now: new Date() })).toMatchObject({
      ok: true,
      value: { data: { input_audio_tokens: 600, output_audio_tokens: 700 } },
    });
  });

  it('OpenAI realtime: audio tokens of the prompt include the cached ones', () => {
    const usage = usageFromProviderResponse(
      'openai',
      {
        response: {
          usage: {
            input_tokens: 1000,
            output_tokens: 200,
            input_token_details: {
              text_tokens: 400,
              audio_tokens: 600,
              cached_tokens: 800,
              cached_tokens_details: { text_tokens: 400, audio_tokens: 400 },
            },
            output_token_details: { text_tokens: 50, audio_tokens: 150 },
          },
        },
      },
      { ...context, model: 'gpt-4o-realtime-preview', apiFlavor: 'realtime' },
    );
    expect(usage).toMatchObject({
      inputTokens: 1000,
      cachedInputTokens: 800,
      inputAudioTokens: 600,
      outputTokens: 200,
      outputAudioTokens: 150,
    });
  });

  it('Anthropic messages: cache reads and writes are added to input_tokens to make the whole prompt', () => {
    const usage = usageFromProviderResponse(
      'anthropic',
      {
        model: 'claude-3-5-sonnet-20241022',
        usage: {
          input_tokens: 50,
          output_tokens: 200,
          cache_read_input_tokens: 1000,
          cache_creation_input_tokens: 300,
        },
      },
      context,
    );
    expect(usage).toMatchObject({
      provider: 'anthropic',
      inputTokens: 1350,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
      outputTokens: 200,
    });
    const event = buildUsageEvent(usage, 'gateway-eu-1');
    expect(parseUsageEvent(JSON.stringify(event), { now: new Date() })).toMatchObject({
      ok: true,
      value: { data: { input_tokens: 1350 } },
    });
  });

  it('Google Gemini generateContent: usageMetadata', () => {
    const usage = usageFromProviderResponse(
      'google',
      {
        modelVersion: 'gemini-1.5-flash',
        usageMetadata: {
          promptTokenCount: 800,
          candidatesTokenCount: 100,
          cachedContentTokenCount: 200,
          totalTokenCount: 900,
        },
      },
      { ...context, requestType: 'chat' },
    );
    expect(usage).toMatchObject({
      provider: 'google',
      model: 'gemini-1.5-flash',
      inputTokens: 800,
      cachedInputTokens: 200,
      outputTokens: 100,
      requestType: 'chat',
    });
  });

  it('refuses an unknown provider, a body without usage, and a body without a model', () => {
    expect(() => usageFromProviderResponse('nobody', {}, context)).toThrow(
      UnrecognisedResponseError,
    );
    expect(() => usageFromProviderResponse('openai', { choices: [] }, context)).toThrow(
      'no usage in the openai response',
    );
    expect(() =>
      usageFromProviderResponse(
        'openai',
        { usage: { prompt_tokens: 1, completion_tokens: 1 } },
        context,
      ),
    ).toThrow('names no model');
    expect(
      usageFromProviderResponse(
        'openai',
        { usage: { prompt_tokens: 1, completion_tokens: 1 } },
        { ...context, model: 'gpt-4o' },
      ).model,
    ).toBe('gpt-4o');
  });
});
