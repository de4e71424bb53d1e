import { randomUUID } from 'node:crypto';

export type UsageServiceKind = 'llm' | 'embedding' | 'stt' | 'tts' | 'image';

/** One AI call, as a customer's gateway knows it. Quantities default to 0. */
export interface UsageInput {
  readonly accountId: string;
  readonly apiKeyId?: string;
  readonly service: UsageServiceKind;
  readonly model: string;
  readonly provider?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cachedInputTokens?: number;
  readonly cacheWriteTokens?: number;
  /** Audio tokens of the prompt (cached ones included): part of inputTokens. */
  readonly inputAudioTokens?: number;
  /** Audio tokens of the answer: part of outputTokens. */
  readonly outputAudioTokens?: number;
  /** Decimal string or number of seconds (speech-to-text). */
  readonly audioSeconds?: number | string;
  readonly characters?: number;
  readonly images?: number;
  readonly powerLevel?: 'eco' | 'balanced' | 'precision';
  readonly requestType?: string;
  readonly reservationId?: string;
  readonly metadata?: Record<string, unknown>;
  /** The provider's request id makes a natural event id: retries then dedupe for free. */
  readonly id?: string;
  readonly time?: Date;
}

/** The CloudEvents 1.0 structured JSON that Tally's usage.events topic takes (DESIGN 3.1). */
export interface UsageCloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: 'ai.usage';
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

export function buildUsageEvent(input: UsageInput, source: string): UsageCloudEvent {
  const data: Record<string, unknown> = {
    api_key_id: input.apiKeyId ?? null,
    service: input.service,
    model: input.model,
    input_tokens: input.inputTokens ?? 0,
    output_tokens: input.outputTokens ?? 0,
    cached_input_tokens: input.cachedInputTokens ?? 0,
    cache_write_tokens: input.cacheWriteTokens ?? 0,
    input_audio_tokens: input.inputAudioTokens ?? 0,
    output_audio_tokens: input.outputAudioTokens ?? 0,
    audio_seconds: input.audioSeconds ?? 0,
    characters: input.characters ?? 0,
    images: input.images ?? 0,
  };
  if (input.provider) data['provider'] = input.provider;
  if (input.powerLevel) data['power_level'] = input.powerLevel;
  if (input.requestType) data['request_type'] = input.requestType;
  if (input.reservationId) data['reservation_id'] = input.reservationId;
  if (input.metadata) data['metadata'] = input.metadata;
  return {
    specversion: '1.0',
    id: input.id ?? `evt_${randomUUID()}`,
    source,
    type: 'ai.usage',
    subject: input.accountId,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}
