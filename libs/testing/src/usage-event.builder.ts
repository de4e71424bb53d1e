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
      input_audio_tokens: 0,
      output_audio_tokens: 0,
      audio_seconds: 0,
      characters: 0,
      images: 0,
      ...data,
    },
  };
}

/** A valid usage.rated payload (DESIGN 3.2) costing `cost`, for feeding the ledger directly. */
export function usageRated(
  accountId: string,
  cost: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    schema_version: 1,
    id: `req_${randomUUID()}`,
    source: 'gateway-test',
    account_id: accountId,
    api_key_id: 'key_test',
    occurred_at: new Date().toISOString(),
    service: 'llm',
    provider: 'openai',
    model: 'gpt-4o-mini',
    quantities: { input_tokens: 1000, output_tokens: 0 },
    cost,
    currency: 'USD',
    price_version: 'test',
    confidence: 1,
    breakdown: {
      input: cost,
      output: '0.000000',
      cached_input: '0.000000',
      cache_write: '0.000000',
      audio: '0.000000',
      characters: '0.000000',
      images: '0.000000',
      requests: '0.000000',
      markup: '0.000000',
      discount: '0.000000',
    },
    reservation_id: null,
    ...overrides,
  };
}
