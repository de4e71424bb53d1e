import { Injectable } from '@nestjs/common';
import { Topics } from '@tally/budget-domain';
import { MessagingService, deadLetterMessage } from '@tally/messaging';
import type { ConsumedMessage, Decoded, OutboxTransaction } from '@tally/messaging';
import { counter } from '@tally/platform';
import { PositionsStore } from './positions.store';

const records = counter(
  'tally_alerting_records_total',
  'Records alerting consumed: applied, dead-lettered, or already applied and skipped',
  ['topic', 'outcome'],
);

/** A consumer of one topic whose effect is applied exactly once by log position. */
export interface PositionalConsumer<T> {
  /** The contract topic name (the test suffix, if any, is added). */
  readonly topic: string;
  /** Bytes to a value, or a dead-letter reason: never throws on bad input. */
  readonly decode: (value: Buffer | null, now: Date) => Decoded<T>;
  /**
   * Applies the slice's new values in log order, in the slice's transaction; what it
   * publishes leaves through the outbox. It may return what to do once the transaction
   * committed (count metrics). Throw only on faults: the slice is delivered again.
   */
  readonly effect: (values: T[], tx: OutboxTransaction, now: Date) => Promise<(() => void) | void>;
}

/**
 * Exactly-once consumption without an inbox row per record (ADR 0030): the position of
 * each partition is stored and advanced in the transaction of the slice's effect, so a
 * redelivered record (a crash between the commit and Kafka's offset commit, a rebalance)
 * is recognised by its offset. Alerting reads high-volume topics whose records are states or
 * roll up into hourly totals: per-event rows are what DESIGN 7 asks it not to keep.
 */
@Injectable()
export class PositionalConsumers {
  constructor(
    private readonly messaging: MessagingService,
    private readonly positions: PositionsStore,
  ) {}

  async start<T>(consumer: PositionalConsumer<T>): Promise<void> {
    await this.messaging.consume({
      topics: [consumer.topic],
      handler: (messages) => this.handle(consumer, messages),
    });
  }

  private async handle<T>(
    consumer: PositionalConsumer<T>,
    messages: ConsumedMessage[],
  ): Promise<void> {
    const first = messages[0];
    if (!first) return;
    const now = new Date();
    const topic = first.topic;
    const outcome = await this.messaging.transaction(async (tx) => {
      const next = await this.positions.lock(tx.manager, topic, first.partition);
      const fresh = messages.filter((message) => BigInt(message.offset) >= next);
      const values: T[] = [];
      for (const message of fresh) {
        const decoded = consumer.decode(message.value, now);
        if (decoded.ok) {
          values.push(decoded.value);
          continue;
        }
        const deadLetter = deadLetterMessage(
          this.messaging.topic(Topics.UsageDeadLetter),
          message,
          decoded,
          this.messaging.service,
          now,
        );
        tx.publish(Topics.UsageDeadLetter, deadLetter.key, JSON.parse(deadLetter.value));
      }
      const afterCommit = values.length > 0 ? await consumer.effect(values, tx, now) : undefined;
      const last = fresh[fresh.length - 1];
      if (last) {
        await this.positions.advance(tx.manager, topic, first.partition, BigInt(last.offset) + 1n);
      }
      return {
        afterCommit,
        applied: values.length,
        deadLettered: fresh.length - values.length,
        skipped: messages.length - fresh.length,
      };
    });
    outcome.afterCommit?.();
    records.inc({ topic: consumer.topic, outcome: 'applied' }, outcome.applied);
    records.inc({ topic: consumer.topic, outcome: 'dead_lettered' }, outcome.deadLettered);
    records.inc({ topic: consumer.topic, outcome: 'duplicate' }, outcome.skipped);
  }
}
