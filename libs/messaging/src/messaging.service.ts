import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@tally/budget-domain';
import { schemaOf, tryTransactionLock } from '@tally/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { RepeatingRound, counter } from '@tally/platform';
import { DEAD_LETTER_MAX_BYTES, deadLetterMessage, positionId } from './dead-letter';
import { databaseRefusal } from './database-refusal';
import type { DatabaseRefusal } from './database-refusal';
import { claimNew, forgetInboxIds } from './inbox';
import { BatchConsumer, PARTITION_FETCH_BYTES, PartitionHalted } from './batch.consumer';
import type { BatchConsumerOptions, ConsumedMessage, PartitionLog } from './batch.consumer';
import { OUTBOX_PACK_BYTES, enqueueOutbox } from './outbox';
import { CollectedOutbox } from './outbox-transaction';
import type { OutboxTransaction } from './outbox-transaction';
import type { ById, ConsumerBasics, TransactionalConsumer } from './transactional-consumer';
import { advancePosition, haltPosition, lockPosition } from './positions';
import { triage } from './triage';
import type { Accepted, Rejected } from './triage';
import type { KafkaConfig } from './kafka.config';
import { LAG_SAMPLE_INTERVAL_MS, kafkaClientConfig, topicName } from './kafka.config';
import { ConsumerGroupLag } from './consumer-group-lag';
import type { PartitionLag } from './consumer-group-lag';
import { OutboxRelay } from './outbox.relay';
import type { OutboxRelayOptions } from './outbox.relay';
import { ensureTopics } from './topic.bootstrap';

export interface MessagingOptions {
  readonly kafka: KafkaConfig;
  /** The service's name: consumer groups, the relay lock and dead-letter records carry it. */
  readonly service: string;
  /** Contract topic names this service reads or writes; created at start if missing. */
  readonly topics: readonly string[];
  /** Request-reply patterns the service answers: `<pattern>` and `<pattern>.reply` are created too. */
  readonly commandPatterns?: readonly string[];
  readonly relay?: Partial<OutboxRelayOptions>;
  /**
   * Days the outbox keeps a day's partition (ADR 0040). Default: the KafkaConfig's
   * (OUTBOX_RETENTION_DAYS), else 2. A consumer whose outbox rows are its dedupe records keeps
   * them as long as a repeat can arrive (metering: its maximum event age plus a margin).
   */
  readonly outboxRetentionDays?: number;
  /**
   * Days per outbox partition (default 1). Every statement on the outbox locks each partition:
   * a service that keeps many days takes them a week (7) at a time.
   */
  readonly outboxPartitionDays?: number;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

interface SliceOutcome {
  readonly applied: number;
  readonly deadLettered: number;
  /** Why the partition must not be consumed further (ADR 0106): nothing of the slice was. */
  readonly halted?: string;
}

const consumedMessages = counter(
  'tally_consumer_messages_total',
  'Records handled by exactly-once consumers: applied, dead-lettered, or seen before and skipped',
  ['consumer', 'outcome'],
);

/**
 * A dead-letter record carries the refused record in base64 (4/3 of its size): a record near
 * the broker's 1 MB default would make one Kafka refuses, and the outbox relay would stop on
 * it. The dead-letter topic takes records up to the size `deadLetterMessage` keeps them under.
 */
const DEAD_LETTER_TOPIC_CONFIG = { 'max.message.bytes': String(DEAD_LETTER_MAX_BYTES) };
/** Days an inbox that only covers redeliveries keeps its ids, unless INBOX_RETENTION_DAYS says. */
const INBOX_RETENTION_DAYS = 7;
/** Inbox ids deleted per transaction: each delete stays short beside the consumers' inserts. */
const INBOX_FORGET_CHUNK = 10_000;
const INBOX_FORGET_EVERY_MS = 3600_000;

/** What a consumer that fills batches waits for: half of a partition's fetch. */
const FILLED_BATCH_BYTES = PARTITION_FETCH_BYTES / 2;

/**
 * A service's Kafka side: topic bootstrap, the outbox relay (exactly-once publishing), and
 * batch consumers. Features ask it for topic names and consumers; they never talk to
 * kafkajs for producing, because every fact leaves through the outbox.
 */
@Injectable()
export class MessagingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MessagingService.name);
  readonly kafka: Kafka;
  private readonly relay: OutboxRelay;
  private readonly consumers: BatchConsumer[] = [];
  /** Inboxes whose ids are kept for the retention only (ADR 0135). */
  private readonly forgettingInboxes = new Set<string>();
  private readonly inboxRetention = new RepeatingRound(
    'inbox retention',
    () => this.forgetOldInboxIds(),
    this.logger,
  );
  private readonly groupLag: ConsumerGroupLag;
  private readonly lagRounds: RepeatingRound<PartitionLag[]>;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.kafka = new Kafka({
      ...kafkaClientConfig(options.kafka, options.kafka.clientId),
      logLevel: logLevel.WARN,
      retry: { initialRetryTime: 300, retries: 10 },
    });
    this.relay = new OutboxRelay(dataSource, this.kafka, {
      batchSize: 5000,
      maxBatchBytes: 768 * 1024,
      // A round is sent in one go on the event loop: bigger rounds publish more per Kafka
      // transaction but keep a service's HTTP requests waiting (docs/benchmarks: the round size A/B).
      maxRoundBytes: 768 * 1024,
      // Writes wake the relay (ADR 0052): the looks only catch rows that waited behind an older
      // transaction, and an instance taking over from a leader that died.
      idleDelayMs: 1000,
      waitingDelayMs: 50,
      retentionDays: options.outboxRetentionDays ?? options.kafka.outboxRetentionDays ?? 2,
      partitionsAheadDays: 7,
      partitionDays: options.outboxPartitionDays ?? 1,
      maintenanceEveryMs: 3600_000,
      name: `tally-outbox-${schemaOf(dataSource)}`,
      roundsTopic: this.topic(`tally.outbox-rounds.${options.service}`),
      ...options.relay,
    });
    this.groupLag = new ConsumerGroupLag(this.kafka, () =>
      this.consumers.map((consumer) => consumer.group),
    );
    this.lagRounds = new RepeatingRound(
      "reading the consumer groups' lag",
      () => this.groupLag.sample(),
      this.logger,
    );
  }

  get service(): string {
    return this.options.service;
  }

  /** The resolved name of a contract topic (with the test suffix, if any). */
  topic(name: string): string {
    return topicName(this.options.kafka, name);
  }

  async onModuleInit(): Promise<void> {
    const commandTopics = (this.options.commandPatterns ?? []).flatMap((pattern) => [
      this.topic(pattern),
      `${this.topic(pattern)}.reply`,
    ]);
    await ensureTopics(
      this.kafka,
      [...this.options.topics.map((name) => this.topic(name)), ...commandTopics],
      this.options.kafka.partitions,
      { [this.topic(Topics.UsageDeadLetter)]: DEAD_LETTER_TOPIC_CONFIG },
      this.options.kafka,
    );
    await ensureTopics(
      this.kafka,
      [this.topic(`tally.outbox-rounds.${this.options.service}`)],
      1,
      {},
      this.options.kafka,
    );
    // Before any consumer writes: a position it can trust, a partition for every day it may name.
    await this.relay.prepare();
    this.relay.start();
    this.inboxRetention.start(INBOX_FORGET_EVERY_MS);
    this.lagRounds.start(this.options.kafka.lagSampleIntervalMs ?? LAG_SAMPLE_INTERVAL_MS);
    this.logger.log(`kafka ready: ${this.options.kafka.brokers.join(',')}`);
    if (this.options.kafka.unsafeSkipInbox)
      this.logger.error(
        'TALLY_UNSAFE_SKIP_INBOX is set: redelivered messages WILL be counted twice',
      );
  }

  /**
   * Runs `work` in one database transaction. What it publishes is written to the outbox in
   * that transaction and relayed once it has committed: a command's facts, like a consumer's,
   * leave only if its effect is stored.
   */
  transaction<R>(work: (tx: OutboxTransaction) => Promise<R>): Promise<R> {
    return this.collectingTransaction(work);
  }

  private async collectingTransaction<R>(work: (tx: CollectedOutbox) => Promise<R>): Promise<R> {
    let collected: CollectedOutbox | undefined;
    const result = await this.dataSource.transaction(async (manager) => {
      const tx = new CollectedOutbox(manager, (topic) => this.topic(topic));
      const value = await work(tx);
      await enqueueOutbox(
        manager,
        // Without the inbox, repeats must reach the topic, so the chaos run can see them counted twice.
        this.options.kafka.unsafeSkipInbox
          ? tx.messages.map(({ dedupe: _dedupe, ...message }) => message)
          : tx.messages,
        { packBytes: OUTBOX_PACK_BYTES },
      );
      collected = tx;
      return value;
    });
    if (collected && collected.messages.length > 0) this.relay.nudge();
    for (const callback of collected?.committed ?? []) callback();
    return result;
  }

  /**
   * Consumes a topic exactly once: per slice of a partition's batch, one transaction decodes
   * the records (bad ones become dead letters with a reason, so the partition never stops),
   * claims their ids in the inbox, applies the new ones (`effect`), writes what it published
   * and the dead letters to the outbox, and commits; the offsets are committed after it. A
   * redelivered or re-sent record finds its id claimed and changes nothing.
   */
  async consumeTransactionally<T>(consumer: TransactionalConsumer<T>): Promise<BatchConsumer> {
    const inbox = consumer.name ?? consumer.topic;
    // Such an inbox only covers redeliveries: of states the effect would ignore anyway, or (with
    // appliedIds) of the records dead-lettered, claimed by log position.
    if ('idOf' in consumer && (consumer.appliesLatestBySequence || consumer.appliedIds))
      this.forgettingInboxes.add(inbox);
    const metricLabel = `${this.service}.${inbox}`;
    return this.consume({
      topics: [consumer.topic],
      ...(consumer.name ? { group: `${this.service}.${consumer.name}` } : {}),
      ...(consumer.partitionsConsumedConcurrently
        ? { partitionsConsumedConcurrently: consumer.partitionsConsumedConcurrently }
        : {}),
      ...(consumer.fillsBatches && this.options.kafka.batchWaitMs
        ? { fetchWait: { minBytes: FILLED_BATCH_BYTES, maxWaitMs: this.options.kafka.batchWaitMs } }
        : {}),
      handler: async (messages: ConsumedMessage[], log: PartitionLog) => {
        const now = consumer.now?.() ?? new Date();
        const outcome = await this.applySlice(consumer, inbox, messages, log, now);
        if (outcome.halted) throw new PartitionHalted(`${metricLabel}: ${outcome.halted}`);
        consumedMessages.inc({ consumer: metricLabel, outcome: 'applied' }, outcome.applied);
        consumedMessages.inc(
          { consumer: metricLabel, outcome: 'dead_lettered' },
          outcome.deadLettered,
        );
        consumedMessages.inc(
          { consumer: metricLabel, outcome: 'duplicate' },
          messages.length - outcome.applied - outcome.deadLettered,
        );
      },
    });
  }

  /**
   * Applies a slice in one transaction. When PostgreSQL refuses a record's data for good (a
   * check constraint, a numeric overflow), the slice is applied again in halves, in log order,
   * until that record stands alone: it is dead-lettered and every other record applied (ADR 0105).
   */
  private async applySlice<T>(
    consumer: TransactionalConsumer<T>,
    inbox: string,
    messages: ConsumedMessage[],
    log: PartitionLog,
    now: Date,
  ): Promise<SliceOutcome> {
    try {
      return 'exactlyOnceBy' in consumer
        ? await this.applyByPosition(consumer, inbox, messages, log, now)
        : await this.applyById(consumer, inbox, messages, now);
    } catch (error) {
      const refusal = databaseRefusal(error);
      if (!refusal) throw error;
      if (messages.length === 1)
        return this.deadLetterRefused(consumer, inbox, messages[0]!, refusal, now);
      const half = Math.ceil(messages.length / 2);
      const first = await this.applySlice(consumer, inbox, messages.slice(0, half), log, now);
      if (first.halted) return first;
      const second = await this.applySlice(consumer, inbox, messages.slice(half), log, now);
      return {
        ...second,
        applied: first.applied + second.applied,
        deadLettered: first.deadLettered + second.deadLettered,
      };
    }
  }

  /**
   * Dead-letters a record the database refused, once: it is claimed by its log position (never
   * by its id, so that a copy replayed once its cause is fixed is applied), or the position moves
   * past it.
   */
  private deadLetterRefused<T>(
    consumer: TransactionalConsumer<T>,
    inbox: string,
    message: ConsumedMessage,
    refusal: DatabaseRefusal,
    now: Date,
  ): Promise<SliceOutcome> {
    // DESIGN 3.1b's reasons are a closed list: the record breaks the rules of the tables it
    // would be stored in, which the error says.
    const error = `rejected by the database: ${refusal.message} (SQLSTATE ${refusal.code})`;
    return this.collectingTransaction(async (tx) => {
      if ('exactlyOnceBy' in consumer) {
        const { next } = await lockPosition(tx.manager, inbox, message.partition);
        if (BigInt(message.offset) < next) return { applied: 0, deadLettered: 0 };
        await advancePosition(tx.manager, inbox, message.partition, BigInt(message.offset) + 1n);
      } else {
        const [fresh] = await this.claimNew(tx.manager, inbox, [
          { messageId: positionId(message) },
        ]);
        if (!fresh) return { applied: 0, deadLettered: 0 };
      }
      const site = this.deadLetterSite(now);
      tx.add(
        deadLetterMessage(
          site.topic,
          message,
          { reason: 'schema_violation', error },
          site.service,
          now,
        ),
      );
      tx.afterCommit(() =>
        this.logger.warn(
          `${this.service}.${inbox}: the database refused the record at ${positionId(message)}, dead-lettered: ${error}`,
        ),
      );
      return { applied: 0, deadLettered: 1 };
    });
  }

  /** A slice whose repeats are known by their ids: the inbox's, or the effect's own (`appliedIds`). */
  private applyById<T>(
    consumer: ConsumerBasics<T> & ById<T>,
    inbox: string,
    messages: ConsumedMessage[],
    now: Date,
  ): Promise<SliceOutcome> {
    const { accepted, rejected } = triage(
      messages,
      consumer.decode,
      consumer.idOf,
      this.deadLetterSite(now),
    );
    return this.collectingTransaction(async (tx) => {
      const claimed = consumer.appliedIds ? rejected : [...accepted, ...rejected];
      const fresh = await this.claimNew(tx.manager, inbox, claimed);
      const deadLetters = fresh.filter((item): item is Rejected => 'deadLetter' in item);
      const values = consumer.appliedIds
        ? await this.notApplied(accepted, consumer.appliedIds, tx)
        : fresh.flatMap((item) => ('deadLetter' in item ? [] : [item.value]));
      if (values.length > 0) await consumer.effect(values, tx, now);
      for (const item of deadLetters) tx.add(item.deadLetter);
      return { applied: values.length, deadLettered: deadLetters.length };
    });
  }

  /**
   * A slice whose repeats are known by their offsets, below the partition's stored position. The
   * log must still hold that position: records below it from a log that ends before it are not
   * repeats but another log's (the topic made again), and the partition halts (ADR 0106).
   */
  private applyByPosition<T>(
    consumer: ConsumerBasics<T>,
    name: string,
    messages: ConsumedMessage[],
    log: PartitionLog,
    now: Date,
  ): Promise<SliceOutcome> {
    const partition = messages[0]?.partition ?? 0;
    return this.collectingTransaction(async (tx) => {
      const { next, halted } = this.options.kafka.unsafeSkipInbox
        ? { next: 0n, halted: null }
        : await lockPosition(tx.manager, name, partition);
      if (halted !== null) return { applied: 0, deadLettered: 0, halted };
      if (log.highWatermark < next && messages.some((message) => BigInt(message.offset) < next)) {
        const reason =
          `records below position ${next} arrived from a log that ends at ${log.highWatermark}: ` +
          'the topic was created again or truncated; its records are neither skipped nor applied ' +
          'until the position is reset (docs/operations.md)';
        await haltPosition(tx.manager, name, partition, reason);
        return { applied: 0, deadLettered: 0, halted: reason };
      }
      const fresh = messages.filter((message) => BigInt(message.offset) >= next);
      const { accepted, rejected } = triage(
        fresh,
        consumer.decode,
        // By position, a value needs no identity of its own.
        () => '',
        this.deadLetterSite(now),
      );
      const values = accepted.map((item) => item.value);
      if (values.length > 0) await consumer.effect(values, tx, now);
      for (const item of rejected) tx.add(item.deadLetter);
      const last = fresh[fresh.length - 1];
      if (last) await advancePosition(tx.manager, name, partition, BigInt(last.offset) + 1n);
      return { applied: values.length, deadLettered: rejected.length };
    });
  }

  private deadLetterSite(at: Date) {
    return { topic: this.topic(Topics.UsageDeadLetter), service: this.service, at };
  }

  /**
   * Starts a batch consumer for the given contract topics. Each consumer of a service has a
   * group of its own (`<service>.<topics>`): members of one group must subscribe alike. Use
   * `consumeTransactionally` unless the handler owns its exactly-once rules (read models that
   * keep only the latest state, say).
   */
  async consume(
    options: Omit<BatchConsumerOptions, 'groupId' | 'topics'> & {
      topics: string[];
      group?: string;
    },
  ): Promise<BatchConsumer> {
    const consumer = new BatchConsumer(this.kafka, {
      sessionTimeoutMs: this.options.kafka.sessionTimeoutMs,
      ...(this.options.kafka.metadataMaxAgeMs === undefined
        ? {}
        : { metadataMaxAgeMs: this.options.kafka.metadataMaxAgeMs }),
      ...options,
      groupId: this.topic(options.group ?? `${this.options.service}.${options.topics.join('+')}`),
      topics: options.topics.map((name) => this.topic(name)),
    });
    this.consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** Each value once, less those the effect says it applied before (`appliedIds`). */
  private async notApplied<T>(
    accepted: ReadonlyArray<Accepted<T>>,
    appliedIds: (values: T[], tx: OutboxTransaction) => Promise<Set<string>>,
    tx: OutboxTransaction,
  ): Promise<T[]> {
    if (this.options.kafka.unsafeSkipInbox) return accepted.map((item) => item.value);
    const ids = new Set<string>();
    const firstOfEach = accepted.filter(
      (item) => !ids.has(item.messageId) && ids.add(item.messageId),
    );
    const applied = await appliedIds(
      firstOfEach.map((item) => item.value),
      tx,
    );
    return firstOfEach.filter((item) => !applied.has(item.messageId)).map((item) => item.value);
  }

  /** The items the inbox has not seen (see `claimNew`), in the caller's transaction. */
  private claimNew<I extends { readonly messageId: string }>(
    manager: EntityManager,
    inbox: string,
    items: readonly I[],
  ): Promise<I[]> {
    if (this.options.kafka.unsafeSkipInbox) return Promise.resolve([...items]);
    return claimNew(manager, inbox, items);
  }

  /**
   * Deletes the inbox ids of latest-state and `appliedIds` consumers received more than
   * INBOX_RETENTION_DAYS ago (ADR 0135), a chunk per transaction; returns how many. Runs every
   * hour on every instance; an instance that finds another's round running skips its own.
   */
  async forgetOldInboxIds(now = new Date()): Promise<number> {
    const days = this.options.kafka.inboxRetentionDays ?? INBOX_RETENTION_DAYS;
    const before = new Date(now.getTime() - days * 86_400_000);
    // Each instance scans the inbox: one at a time, the others skip their round.
    const lock = `tally.inbox-retention.${schemaOf(this.dataSource)}`;
    let forgotten = 0;
    for (const inbox of this.forgettingInboxes) {
      for (;;) {
        const deleted = await this.dataSource.transaction(async (manager) =>
          (await tryTransactionLock(manager, lock))
            ? forgetInboxIds(manager, inbox, before, INBOX_FORGET_CHUNK)
            : 0,
        );
        forgotten += deleted;
        if (deleted < INBOX_FORGET_CHUNK) break;
      }
    }
    return forgotten;
  }

  /**
   * Reads the lag of this service's consumer groups from the broker now (it is read every
   * KAFKA_LAG_SAMPLE_INTERVAL_MS anyway) and sets `tally_consumer_group_lag` and
   * `tally_consumer_group_stalled_seconds`.
   */
  sampleConsumerLag(): Promise<PartitionLag[]> {
    return this.lagRounds.run();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.inboxRetention.stop(), this.lagRounds.stop()]);
    this.groupLag.clear();
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.stop()));
    await this.relay.stop();
  }

  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }
}
