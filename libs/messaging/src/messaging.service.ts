import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@tally/budget-domain';
import { schemaOf } from '@tally/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { DEAD_LETTER_MAX_BYTES } from './dead-letter';
import { claimNew } from './inbox';
import { BatchConsumer } from './batch.consumer';
import type { BatchConsumerOptions } from './batch.consumer';
import type { KafkaConfig } from './kafka.config';
import { kafkaClientConfig, topicName } from './kafka.config';
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
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/**
 * A dead-letter record carries the refused record in base64 (4/3 of its size): a record near
 * the broker's 1 MB default would make one Kafka refuses, and the outbox relay would stop on
 * it. The dead-letter topic takes records up to the size `deadLetterMessage` keeps them under.
 */
const DEAD_LETTER_TOPIC_CONFIG = { 'max.message.bytes': String(DEAD_LETTER_MAX_BYTES) };

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

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.kafka = new Kafka({
      ...kafkaClientConfig(options.kafka, options.kafka.clientId),
      logLevel: logLevel.WARN,
      retry: { initialRetryTime: 300, retries: 10 },
    });
    this.relay = new OutboxRelay(dataSource, this.kafka, {
      batchSize: 5000,
      maxBatchBytes: 768 * 1024,
      idleDelayMs: 50,
      vacuumEveryRows: 20_000,
      name: `tally-outbox-${schemaOf(dataSource)}`,
      roundsTopic: this.topic(`tally.outbox-rounds.${options.service}`),
      ...options.relay,
    });
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
    );
    await ensureTopics(this.kafka, [this.topic(`tally.outbox-rounds.${this.options.service}`)], 1);
    this.relay.start();
    this.logger.log(`kafka ready: ${this.options.kafka.brokers.join(',')}`);
    if (this.options.kafka.unsafeSkipInbox)
      this.logger.error(
        'TALLY_UNSAFE_SKIP_INBOX is set: redelivered messages WILL be counted twice',
      );
  }

  /**
   * Starts a batch consumer for the given contract topics. Each consumer of a service has a
   * group of its own (`<service>.<topics>`): members of one group must subscribe alike.
   */
  async consume(
    options: Omit<BatchConsumerOptions, 'groupId' | 'topics'> & {
      topics: string[];
      group?: string;
    },
  ): Promise<BatchConsumer> {
    const consumer = new BatchConsumer(this.kafka, {
      sessionTimeoutMs: this.options.kafka.sessionTimeoutMs,
      ...options,
      groupId: this.topic(options.group ?? `${this.options.service}.${options.topics.join('+')}`),
      topics: options.topics.map((name) => this.topic(name)),
    });
    this.consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** The items the inbox has not seen (see `claimNew`), in the caller's transaction. */
  claimNew<T extends { readonly messageId: string }>(
    manager: EntityManager,
    consumer: string,
    items: readonly T[],
  ): Promise<T[]> {
    if (this.options.kafka.unsafeSkipInbox) return Promise.resolve([...items]);
    return claimNew(manager, consumer, items);
  }

  /** Tells the relay that a transaction with outbox rows has committed. */
  outboxCommitted(): void {
    this.relay.nudge();
  }

  async onModuleDestroy(): Promise<void> {
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
