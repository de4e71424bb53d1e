import { parseUsageEvent } from '@tally/budget-domain';
import { buildUsageEvent } from './usage-event.factory';

describe('building usage events', () => {
  it('produces CloudEvents that Tally accepts, with generated ids', () => {
    const time = new Date('2026-11-22T10:00:00Z');
    const event = buildUsageEvent(
      {
        accountId: 'acct_42',
        apiKeyId: 'key_7',
        service: 'llm',
        model: 'gpt-4o-mini',
        inputTokens: 1000,
        outputTokens: 500,
        cachedInputTokens: 200,
        inputAudioTokens: 300,
        outputAudioTokens: 100,
        powerLevel: 'eco',
        time,
      },
      'gateway-eu-1',
    );
    expect(event.id).toMatch(/^evt_[0-9a-f-]{36}$/);
    const parsed = parseUsageEvent(JSON.stringify(event), { now: time });
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        source: 'gateway-eu-1',
        subject: 'acct_42',
        data: {
          api_key_id: 'key_7',
          model: 'gpt-4o-mini',
          input_tokens: 1000,
          output_tokens: 500,
          cached_input_tokens: 200,
          input_audio_tokens: 300,
          output_audio_tokens: 100,
          power_level: 'eco',
        },
      },
    });
  });

  it('keeps a caller-chosen id so retries dedupe, and carries optional fields', () => {
    const event = buildUsageEvent(
      {
        id: 'req_abc',
        accountId: 'a',
        service: 'stt',
        model: 'whisper-1',
        audioSeconds: '12.5',
        provider: 'openai',
        reservationId: 'res_1',
        requestType: 'transcription',
        metadata: { team: 'x' },
      },
      'gw',
    );
    expect(event).toMatchObject({
      id: 'req_abc',
      data: {
        audio_seconds: '12.5',
        provider: 'openai',
        reservation_id: 'res_1',
        request_type: 'transcription',
        metadata: { team: 'x' },
      },
    });
    expect(event.data['api_key_id']).toBeNull();
  });
});
