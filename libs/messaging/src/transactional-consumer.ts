import type { Decoded } from './triage';
import type { OutboxTransaction } from './outbox-transaction';

/**
 * An exactly-once consumer of one topic, as a feature writes it: how to read a record and what
 * it does. The messaging library owns the rest (MessagingService.consumeTransactionally).
 */
export type TransactionalConsumer<T> = ConsumerBasics<T> & (ById<T> | ByPosition);

export interface ConsumerBasics<T> {
  /** The contract topic name (the test suffix, if any, is added). */
  readonly topic: string;
  /**
   * Names the consumer group and the inbox (or position). Defaults: group
   * `<service>.<topic>`, inbox `<topic>`; two consumers of one topic in one service need
   * names of their own.
   */
  readonly name?: string;
  /** Bytes to a value, or a dead-letter reason: never throws on bad input. `now` is the slice's. */
  readonly decode: (value: Buffer | null, now: Date) => Decoded<T>;
  /**
   * Applies the slice's new values (seen for the first time, each once, in log order) in the
   * slice's transaction; what it publishes goes out through the outbox. Throwing rolls the
   * slice back and it is delivered again, so throw only on faults, never on bad input.
   */
  readonly effect: (values: T[], tx: OutboxTransaction, now: Date) => Promise<void>;
  /** The consumer's clock (the ledger's can be moved by tests). */
  readonly now?: () => Date;
  /** Partitions this instance handles at once, each in its own transaction (default 3). */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * A high-volume stream (usage): the broker may hold a fetch for the configured batch wait
   * (KAFKA_BATCH_WAIT_MS) until half a MiB of records is there, so a steady trickle is handled
   * in fewer, larger slices (ADR 0051). Other consumers are answered at the first record.
   */
  readonly fillsBatches?: boolean;
}

/** Repeats are recognised by each message's own identity, wherever in the log they stand. */
export interface ById<T> {
  /** A message's identity: a repeat of it, redelivered or re-sent, changes nothing. */
  readonly idOf: (value: T) => string;
  /**
   * Lets the effect's own rows record which values it applied, instead of an inbox row per
   * message: given the slice's values, answers the ids among them the effect has applied
   * before. The effect must store each id under a unique key (which also stops two instances
   * racing on one slice). Bad records are still claimed in the inbox, by log position, for
   * INBOX_RETENTION_DAYS (ADR 0135).
   */
  readonly appliedIds?: (values: T[], tx: OutboxTransaction) => Promise<Set<string>>;
  /**
   * The effect keeps only the latest state per subject by its sequence and ignores an older one
   * by itself: the inbox then only has to cover redeliveries, and its ids are forgotten after
   * INBOX_RETENTION_DAYS (ADR 0135) instead of piling up one per record for ever.
   */
  readonly appliesLatestBySequence?: boolean;
}

/**
 * Repeats are recognised by their log position: the partition's next offset is stored and
 * moved in the slice's transaction, one row per slice instead of one per record. Only for
 * topics a Tally outbox publishes (exactly once), where a repeat can only be a redelivery of
 * the same offset; a record re-sent at another offset would be applied again.
 */
export interface ByPosition {
  readonly exactlyOnceBy: 'position';
}
