import type { DeadLetterReason, DeadLetterRecord } from '@tally/budget-domain';
import type { ConsumedMessage } from './batch.consumer';
import type { OutboxMessage } from './outbox';

/**
 * A dead-letter record for a record the service cannot use: the original bytes (base64),
 * where they came from and why they were refused. Written through the outbox in the same
 * transaction as the rest of the slice, so it is never lost and the partition moves on.
 */
export function deadLetterMessage(
  deadLetterTopic: string,
  message: ConsumedMessage,
  failure: { reason: DeadLetterReason; error: string },
  service: string,
  at: Date,
): OutboxMessage {
  const key = message.key?.toString('utf8') ?? null;
  const record: DeadLetterRecord = {
    source_topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key,
    value: message.value ? message.value.toString('base64') : null,
    reason: failure.reason,
    error: failure.error,
    service,
    at: at.toISOString(),
  };
  return { topic: deadLetterTopic, key, value: JSON.stringify(record) };
}

/** The inbox id of a record that has no usable id of its own: its position in the log. */
export function positionId(message: ConsumedMessage): string {
  return `${message.topic}/${message.partition}/${message.offset}`;
}
