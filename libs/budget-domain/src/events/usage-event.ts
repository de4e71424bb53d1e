import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { excerpt } from '../excerpt';
import { AMOUNT_SCALE, isDecimalString } from '../money/amount';
import { parseWith, rejected } from './parse-result';
import type { ParseResult } from './parse-result';
import {
  SCHEMA_VERSION,
  isCopyableRecord,
  isJsonObject,
  isTimestamp,
  isoTimestamp,
  timestampMs,
} from './wire';

export const USAGE_SERVICES = ['llm', 'embedding', 'stt', 'tts', 'image'] as const;
export type UsageService = (typeof USAGE_SERVICES)[number];
export const POWER_LEVELS = ['eco', 'balanced', 'precision'] as const;
export type PowerLevel = (typeof POWER_LEVELS)[number];

/**
 * Largest quantities one event may carry. Far above any real single call (the largest
 * context windows are ~10M tokens; an hour of audio is 3,600 s): an event beyond them is a
 * producer bug, not usage, and is dead-lettered as quantity_too_large.
 */
export const QUANTITY_LIMITS = {
  tokens: 100_000_000,
  audio_seconds: 86_400,
  characters: 100_000_000,
  images: 10_000,
} as const;

/**
 * Longest identifier an event may carry (id, source, type, subject, service, model, provider,
 * api_key_id, reservation_id), in UTF-16 code units: real ones are a few dozen characters.
 * `subject` becomes the key and account id of usage.rated, so an unbounded one would make an
 * unbounded outbox row. Identifiers hold no control characters either: PostgreSQL refuses a
 * NUL in text, which would roll back every batch holding the event, and an unpaired
 * surrogate would be stored as U+FFFD, merging distinct ids.
 */
export const IDENTIFIER_MAX_LENGTH = 256;
const IDENTIFIER_TEXT = /^[^\p{Cc}\p{Cs}]*$/u;

export const identifier = z.string().min(1).max(IDENTIFIER_MAX_LENGTH).regex(IDENTIFIER_TEXT, {
  message: 'must not contain control characters or unpaired surrogates',
});

/** What `identifier` accepts, for the reader that checks a shape without zod. */
function isIdentifier(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= IDENTIFIER_MAX_LENGTH &&
    IDENTIFIER_TEXT.test(value)
  );
}

const TOKEN_FIELDS = [
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'input_audio_tokens',
  'output_audio_tokens',
] as const;
const COUNT_FIELDS = [...TOKEN_FIELDS, 'characters', 'images'] as const;

const quantity = z.number().default(0);
const usageDataSchema = z.object({
  api_key_id: identifier.nullable().optional(),
  service: identifier,
  model: identifier,
  provider: identifier.optional(),
  input_tokens: quantity,
  output_tokens: quantity,
  cached_input_tokens: quantity,
  cache_write_tokens: quantity,
  input_audio_tokens: quantity,
  output_audio_tokens: quantity,
  audio_seconds: z.union([z.number(), z.string()]).default(0),
  characters: quantity,
  images: quantity,
  power_level: z.enum(POWER_LEVELS).optional(),
  request_type: z.string().optional(),
  reservation_id: identifier.nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const usageEventSchema = z.object({
  // Customers write usage events, not Tally, so the field is optional; any other version is
  // refused, never misread (DESIGN 3).
  schema_version: z.literal(SCHEMA_VERSION).optional(),
  specversion: z.literal('1.0'),
  id: identifier,
  source: identifier,
  type: identifier,
  subject: identifier,
  time: isoTimestamp,
  datacontenttype: z.string().optional(),
  data: usageDataSchema,
});

export interface UsageData {
  api_key_id: string | null;
  service: UsageService;
  model: string;
  provider?: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  /** Audio tokens of the prompt (cached ones included): part of input_tokens, priced at the audio rate. */
  input_audio_tokens: number;
  /** Audio tokens of the answer: part of output_tokens. */
  output_audio_tokens: number;
  /** Decimal string: speech is billed by the (fractional) second. */
  audio_seconds: string;
  characters: number;
  images: number;
  power_level?: PowerLevel;
  request_type?: string;
  reservation_id: string | null;
  metadata?: Record<string, unknown>;
}

/** A usage event: CloudEvents 1.0, structured JSON (DESIGN 3.1). `subject` is the account id. */
export interface UsageEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  data: UsageData;
}

export interface UsageEventLimits {
  readonly now: Date;
  /** Older events are refused as time_too_old (default 35 days). */
  readonly maxAgeMs?: number;
  /** Events stamped further ahead are refused as time_in_future (default 5 minutes). */
  readonly maxFutureSkewMs?: number;
}

const DAY_MS = 86_400_000;

/** A usage event's identity: the same (source, id) is the same call, whenever it arrives. */
export function usageDedupKey(event: { readonly source: string; readonly id: string }): string {
  return JSON.stringify([event.source, event.id]);
}

/**
 * Validates a raw usage.events record. Reasons are checked in a fixed order: JSON, shape,
 * service, quantities (negative, then too large, then consistency), time.
 */
export function parseUsageEvent(
  raw: Buffer | string | null,
  limits: UsageEventLimits,
): ParseResult<UsageEvent> {
  const shape = parseWith(usageEventSchema, raw, readUsageEventShape);
  if (!shape.ok) return shape;
  const event = shape.value;
  const data = event.data;

  if (!(USAGE_SERVICES as readonly string[]).includes(data.service)) {
    return rejected(
      'unknown_service',
      `data.service: "${data.service}" is not one of ${USAGE_SERVICES.join(', ')}`,
    );
  }
  for (const field of COUNT_FIELDS) {
    const value = data[field];
    if (value < 0)
      return rejected('negative_quantity', `data.${field}: must not be negative, got ${value}`);
    // A whole number past 2^53 (1e20) is absurd, not malformed: the limits below refuse it.
    if (!Number.isInteger(value))
      return rejected('schema_violation', `data.${field}: must be a whole number, got ${value}`);
  }
  const audio = parseAudioSeconds(data.audio_seconds);
  if (!audio.ok) return audio;
  for (const field of TOKEN_FIELDS) {
    if (data[field] > QUANTITY_LIMITS.tokens) {
      return rejected(
        'quantity_too_large',
        `data.${field}: ${data[field]} exceeds ${QUANTITY_LIMITS.tokens}`,
      );
    }
  }
  if (data.characters > QUANTITY_LIMITS.characters) {
    return rejected(
      'quantity_too_large',
      `data.characters: ${data.characters} exceeds ${QUANTITY_LIMITS.characters}`,
    );
  }
  if (data.images > QUANTITY_LIMITS.images) {
    return rejected(
      'quantity_too_large',
      `data.images: ${data.images} exceeds ${QUANTITY_LIMITS.images}`,
    );
  }
  if (audio.value.greaterThan(QUANTITY_LIMITS.audio_seconds)) {
    return rejected(
      'quantity_too_large',
      `data.audio_seconds: ${data.audio_seconds} exceeds ${QUANTITY_LIMITS.audio_seconds}`,
    );
  }
  if (data.cached_input_tokens + data.cache_write_tokens > data.input_tokens) {
    return rejected(
      'schema_violation',
      'data.cached_input_tokens: cached_input_tokens + cache_write_tokens must not exceed input_tokens (input_tokens is the whole prompt)',
    );
  }
  if (data.input_audio_tokens > data.input_tokens) {
    return rejected(
      'schema_violation',
      'data.input_audio_tokens: must not exceed input_tokens (audio tokens are part of the prompt)',
    );
  }
  if (data.output_audio_tokens > data.output_tokens) {
    return rejected(
      'schema_violation',
      'data.output_audio_tokens: must not exceed output_tokens (audio tokens are part of the output)',
    );
  }

  const occurredAt = timestampMs(event.time);
  const now = limits.now.getTime();
  if (occurredAt > now + (limits.maxFutureSkewMs ?? 5 * 60_000)) {
    return rejected(
      'time_in_future',
      `time: ${event.time} is ahead of now (${limits.now.toISOString()})`,
    );
  }
  if (occurredAt < now - (limits.maxAgeMs ?? 35 * DAY_MS)) {
    return rejected('time_too_old', `time: ${event.time} is older than the accepted window`);
  }

  return {
    ok: true,
    value: {
      specversion: event.specversion,
      id: event.id,
      source: event.source,
      type: event.type,
      subject: event.subject,
      time: new Date(occurredAt).toISOString(),
      // `data` is this parse's own copy (the reader's or zod's): completed in place, the keys
      // in the order a spread would give them, at a fraction of a spread's cost.
      data: Object.assign(data, {
        api_key_id: data.api_key_id ?? null,
        audio_seconds: audio.value.toFixed(),
        reservation_id: data.reservation_id ?? null,
      }) as UsageData,
    },
  };
}

type UsageEventShape = z.output<typeof usageEventSchema>;
type UsageDataShape = UsageEventShape['data'];

/**
 * `usageEventSchema` by hand for an event that satisfies it: the same copy (keys in the
 * schema's order, defaults filled in), or undefined, and the schema then decides and names the
 * fault. Every event metering rates comes this way; zod's generic checks and copies cost more
 * than the JSON.parse before them (docs/benchmarks).
 */
export function readUsageEventShape(value: unknown): UsageEventShape | undefined {
  if (!isJsonObject(value)) return undefined;
  const { schema_version, specversion, id, source, type, subject, time, datacontenttype } = value;
  if (
    (schema_version !== undefined && schema_version !== SCHEMA_VERSION) ||
    specversion !== '1.0' ||
    !isIdentifier(id) ||
    !isIdentifier(source) ||
    !isIdentifier(type) ||
    !isIdentifier(subject) ||
    !isTimestamp(time) ||
    (datacontenttype !== undefined && typeof datacontenttype !== 'string')
  ) {
    return undefined;
  }
  const data = readUsageData(value['data']);
  if (!data) return undefined;
  const event: Record<string, unknown> =
    schema_version === undefined
      ? { specversion, id, source, type, subject, time }
      : { schema_version, specversion, id, source, type, subject, time };
  if (datacontenttype !== undefined) event['datacontenttype'] = datacontenttype;
  event['data'] = data;
  return event as UsageEventShape;
}

function readUsageData(value: unknown): UsageDataShape | undefined {
  if (!isJsonObject(value)) return undefined;
  const { api_key_id, service, model, provider, audio_seconds } = value;
  const { power_level, request_type, reservation_id, metadata } = value;
  // A default replaces an absent count, not a null one.
  const counts = COUNT_FIELDS.map((field) => (value[field] === undefined ? 0 : value[field]));
  if (
    (api_key_id !== undefined && api_key_id !== null && !isIdentifier(api_key_id)) ||
    !isIdentifier(service) ||
    !isIdentifier(model) ||
    (provider !== undefined && !isIdentifier(provider)) ||
    !counts.every((count) => typeof count === 'number') ||
    (audio_seconds !== undefined &&
      typeof audio_seconds !== 'number' &&
      typeof audio_seconds !== 'string') ||
    (power_level !== undefined && !(POWER_LEVELS as readonly unknown[]).includes(power_level)) ||
    (request_type !== undefined && typeof request_type !== 'string') ||
    (reservation_id !== undefined && reservation_id !== null && !isIdentifier(reservation_id)) ||
    (metadata !== undefined && !isCopyableRecord(metadata))
  ) {
    return undefined;
  }
  // Keys are set in the schema's order, an optional one only when present, as zod copies them
  // (conditional spreads would cost more than the whole check).
  const data: Record<string, unknown> = {};
  if (api_key_id !== undefined) data['api_key_id'] = api_key_id;
  data['service'] = service;
  data['model'] = model;
  if (provider !== undefined) data['provider'] = provider;
  const [input, output, cachedInput, cacheWrite, inputAudio, outputAudio, characters, images] =
    counts;
  data['input_tokens'] = input;
  data['output_tokens'] = output;
  data['cached_input_tokens'] = cachedInput;
  data['cache_write_tokens'] = cacheWrite;
  data['input_audio_tokens'] = inputAudio;
  data['output_audio_tokens'] = outputAudio;
  data['audio_seconds'] = audio_seconds ?? 0;
  data['characters'] = characters;
  data['images'] = images;
  if (power_level !== undefined) data['power_level'] = power_level;
  if (request_type !== undefined) data['request_type'] = request_type;
  if (reservation_id !== undefined) data['reservation_id'] = reservation_id;
  if (metadata !== undefined) data['metadata'] = metadata;
  return data as UsageDataShape;
}

/**
 * Audio seconds are a JSON number or plain decimal text ("12.5"), with at most 12 decimals
 * (NUMERIC(38,12)). Exponent text never reaches decimal.js: "1e-2000000" is ten bytes on the
 * wire and two million digits once written out in usage.rated.
 */
function parseAudioSeconds(value: number | string): ParseResult<Decimal> {
  if (typeof value === 'string' && !isDecimalString(value)) {
    return rejected(
      'schema_violation',
      `data.audio_seconds: ${excerpt(value)} is not a decimal number like "12.5" with at most ${AMOUNT_SCALE} decimals`,
    );
  }
  // A JSON number is finite (zod refuses Infinity) but may be as small as 5e-324.
  const seconds = new Decimal(value);
  if (seconds.isNegative() && !seconds.isZero()) {
    return rejected('negative_quantity', `data.audio_seconds: must not be negative, got ${value}`);
  }
  if (seconds.decimalPlaces() > AMOUNT_SCALE) {
    return rejected(
      'schema_violation',
      `data.audio_seconds: ${value} has more than ${AMOUNT_SCALE} decimals`,
    );
  }
  return { ok: true, value: seconds };
}
