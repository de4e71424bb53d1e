import type { UsageEvent } from '../events/usage-event';

/** A parsed usage event for rating tests (quantities default to 0). */
export function ratedEvent(
  data: Partial<UsageEvent['data']> = {},
  time = '2026-11-22T10:00:00.000Z',
): UsageEvent {
  return {
    specversion: '1.0',
    id: 'req_1',
    source: 'gw',
    type: 'ai.usage',
    subject: 'acct_1',
    time,
    data: {
      api_key_id: 'key_1',
      service: 'llm',
      model: 'gpt-4o-mini',
      input_tokens: 0,
      output_tokens: 0,
      cached_input_tokens: 0,
      cache_write_tokens: 0,
      input_audio_tokens: 0,
      output_audio_tokens: 0,
      audio_seconds: '0',
      characters: 0,
      images: 0,
      reservation_id: null,
      ...data,
    },
  };
}
