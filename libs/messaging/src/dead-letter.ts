import { isUtf8 } from 'node:buffer';
import { SCHEMA_VERSION, storableText } from '@tally/budget-domain';
import type { DeadLetterReason, DeadLetterRecord } from '@tally/budget-domain';
import type { ConsumedMessage } from './batch.consumer';
import type { OutboxMessage } from './outbox';

/**
 * The dead-letter topic's max.message.bytes (set where it is created): a refused record near
 * the broker's 1 MB default still fits once base64 has grown it by 4/3.
 */
export const DEAD_LETTER_MAX_BYTES = 4 * 1024 * 1024;
/** A key longer than this is no account id: it is kept (cut to this size) in base64 only. */
const MAX_TEXT_KEY_BYTES = 1024;
const MAX_ERROR_LENGTH = 1000;
/**
 * Original value bytes a dead letter keeps: what base64 lets fit in the topic's limit after
 * 64 KiB for everything else (the key at most twice, an error of at most MAX_ERROR_LENGTH
 * characters even if JSON escapes each into six bytes, the position, the record batch's own
 * overhead). A larger record is cut rather than written as a row the relay could never
 * publish, which would stop every message behind it.
 */
const MAX_VALUE_BYTES = Math.floor((DEAD_LETTER_MAX_BYTES - 64 * 1024) / 4) * 3;

/**
 * A dead-letter record for a record the service cannot use: the original bytes (base64),
 * where they came from and why they were refused. Written through the outbox in the same
 * transaction as the rest of the slice, so it is never lost and the partition moves on:
 * whatever the original bytes, the row is storable (no NUL in its text key) and publishable
 * (under DEAD_LETTER_MAX_BYTES).
 */
export function deadLetterMessage(
  deadLetterTopic: string,
  message: ConsumedMessage,
  failure: { reason: DeadLetterReason; error: string },
  service: string,
  at: Date,
): OutboxMessage {
  const key = textKey(message.key);
  const binaryKey = key === null ? message.key : null;
  const record: DeadLetterRecord = {
    schema_version: SCHEMA_VERSION,
    source_topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key,
    key_base64: binaryKey?.subarray(0, MAX_TEXT_KEY_BYTES).toString('base64') ?? null,
    value: message.value?.subarray(0, MAX_VALUE_BYTES).toString('base64') ?? null,
    truncated:
      (binaryKey?.length ?? 0) > MAX_TEXT_KEY_BYTES ||
      (message.value?.length ?? 0) > MAX_VALUE_BYTES,
    reason: failure.reason,
    // A JSON.parse error quotes the refused text, NUL included: the bytes are in `value`.
    error: storableText(failure.error.slice(0, MAX_ERROR_LENGTH)),
    service,
    at: at.toISOString(),
  };
  // Keyed by the original key, so one producer key's dead letters stay in order on one
  // partition; by its base64 when it is not storable text.
  return { topic: deadLetterTopic, key: key ?? record.key_base64, value: JSON.stringify(record) };
}

/** The key as text, if it is UTF-8 without NUL and short enough to be an account id. */
function textKey(key: Buffer | null): string | null {
  if (!key || key.length > MAX_TEXT_KEY_BYTES || key.includes(0) || !isUtf8(key)) return null;
  return key.toString('utf8');
}

/**
 * The inbox id of a record that has no usable id of its own: its position in the log, and its
 * timestamp, which tells it from another log's record at the same offset (a topic made again).
 */
export function positionId(message: ConsumedMessage): string {
  return `${message.topic}/${message.partition}/${message.offset}@${message.timestamp}`;
}
