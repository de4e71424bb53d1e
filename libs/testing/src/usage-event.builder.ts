import { randomUUID } from 'node:crypto';

export interface UsageEventFixture {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

/**
 * A valid usage event (DESIGN 3.1) with the given overrides; `data` overrides are merged
 * into the default LLM call (gpt-4o-mini, 1000 input and 500 output tokens).
 */
export function usageEvent(
  overrides: Partial<Omit<UsageEventFixture, 'data'>> & { data?: Record<string, unknown> } = {},
): UsageEventFixture {
  const { data, ...envelope } = overrides;
  return {
    specversion: '1.0',
    id: `req_${randomUUID()}`,
    source: 'gateway-test',
    type: 'ai.usage',
    subject: 'acct_test',
    time: new Date().toISOString(),
    ...envelope,
    data: {
      api_key_id: 'key_test',
      service: 'llm',
      model: 'gpt-4o-mini',
      provider: 'openai',
      input_tokens: 1000,
      output_tokens: 500,
      cached_input_tokens: 0,
      cache_write_tokens: 0,
      audio_seconds: 0,
      characters: 0,
      images: 0,
      ...data,
    },
  };
}
