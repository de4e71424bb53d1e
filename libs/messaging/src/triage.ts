import type { DeadLetterReason } from '@tally/budget-domain';
import type { ConsumedMessage } from './batch.consumer';
import { deadLetterMessage, positionId } from './dead-letter';
import type { OutboxMessage } from './outbox';

export type Decoded<T> =
  { ok: true; value: T } | { ok: false; reason: DeadLetterReason; error: string };

export interface Accepted<T> {
  readonly messageId: string;
  readonly value: T;
}

export interface Rejected {
  /** The record's log position: it has no trustworthy id of its own. */
  readonly messageId: string;
  readonly deadLetter: OutboxMessage;
}

/**
 * Splits consumed records into decoded values (keyed by their message id) and dead-letter
 * records with the decoder's reason, so a bad record never stops its partition.
 */
export function triage<T>(
  messages: readonly ConsumedMessage[],
  decode: (value: Buffer | null, now: Date) => Decoded<T>,
  messageIdOf: (value: T) => string,
  deadLetter: { readonly topic: string; readonly service: string; readonly at: Date },
): { accepted: Array<Accepted<T>>; rejected: Rejected[] } {
  const accepted: Array<Accepted<T>> = [];
  const rejected: Rejected[] = [];
  for (const message of messages) {
    const decoded = decode(message.value, deadLetter.at);
    if (decoded.ok) {
      accepted.push({ messageId: messageIdOf(decoded.value), value: decoded.value });
    } else {
      rejected.push({
        messageId: positionId(message),
        deadLetter: deadLetterMessage(
          deadLetter.topic,
          message,
          decoded,
          deadLetter.service,
          deadLetter.at,
        ),
      });
    }
  }
  return { accepted, rejected };
}
