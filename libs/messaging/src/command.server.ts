import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { KafkaContext, ServerKafka } from '@nestjs/microservices';
import type { KafkaOptions, MessageHandler, OutgoingResponse } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import type { Admin, Kafka } from 'kafkajs';
import { DEFAULT_JSON_MAX_DEPTH, JsonTextError, counter, parseJsonText } from '@tally/platform';
import type { KafkaConfig } from './kafka.config';
import { kafkaClientConfig, topicName } from './kafka.config';

type ServerKafkaOptions = NonNullable<KafkaOptions['options']>;
type CommandRecord = Parameters<ServerKafka['handleMessage']>[0];
type HeaderValue = CommandRecord['message']['headers'] extends infer H
  ? H extends Record<string, infer V>
    ? V
    : never
  : never;

/** What a command record may carry; anything beyond is refused before a handler sees it. */
export interface CommandLimits {
  /** Largest value, in bytes (commands are small; the broker would take up to 1 MB). */
  readonly maxValueBytes: number;
  /** Deepest JSON nesting of a value. */
  readonly maxDepth: number;
  /**
   * Oldest command run, by its record's timestamp: a partition whose committed offset is gone
   * (its group stopped for longer than the broker keeps offsets) is read from its beginning,
   * and its asker gave up on a command this old long ago (ADR 0151).
   */
  readonly maxAgeMs: number;
}

export const DEFAULT_COMMAND_LIMITS: CommandLimits = {
  maxValueBytes: 64 * 1024,
  maxDepth: DEFAULT_JSON_MAX_DEPTH,
  maxAgeMs: 60 * 60 * 1000,
};

/** The id ClientKafka puts on a request (21 characters of [0-9a-z]), with room to spare. */
const CORRELATION_ID = /^[A-Za-z0-9_-]{1,128}$/;
const PARTITION = /^(0|[1-9][0-9]{0,8})$/;
/** How long a reply topic's partition count is trusted before it is read again. */
const PARTITION_COUNT_TTL_MS = 30_000;

interface ReplyAddress {
  readonly topic: string;
  readonly partition: string;
  readonly correlationId: string;
}

const skippedRecords = counter(
  'tally_command_records_skipped_total',
  'Command records skipped or refused before a handler ran, by reason',
  ['reason'],
);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request-reply side of a service (@nestjs/microservices over Kafka): `@MessagePattern`
 * handlers answer on `<pattern>.reply`. Patterns get the configured topic suffix, so tests
 * can run isolated instances; in production the patterns are the contract names.
 *
 * Anyone who can write a command topic controls a record's headers, and Nest's Kafka server
 * trusts them: it replies to whatever topic `kafka_replyTopic` names (a fact topic such as
 * payments.events included), runs a record without reply headers as an event, and a reply
 * it cannot send rejects a promise nobody awaits, which ends the process. So a record's reply
 * address is checked before anything runs (the reply topic must be the record's topic +
 * `.reply`); a record that fails is logged at warn and skipped. A record with a good address
 * but a value that is not small, UTF-8, JSON text of bounded depth gets a VALIDATION_FAILED
 * refusal. A reply that cannot be sent is logged, never thrown.
 */
export class CommandServer extends ServerKafka {
  private readonly commandLogger = new Logger(CommandServer.name);
  private readonly partitionCounts = new Map<string, { count: number; readAt: number }>();
  private admin: Promise<Admin> | undefined;

  constructor(
    options: ServerKafkaOptions,
    private readonly topicSuffix: string,
    private readonly limits: CommandLimits = DEFAULT_COMMAND_LIMITS,
  ) {
    super(options);
  }

  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler?: boolean,
    extras?: Record<string, unknown>,
  ): void {
    const name =
      typeof pattern === 'string' ? topicName({ topicSuffix: this.topicSuffix }, pattern) : pattern;
    super.addHandler(name, callback, isEventHandler, extras);
  }

  override async handleMessage(record: CommandRecord): Promise<unknown> {
    const where = `${record.topic}[${record.partition}]@${record.message.offset}`;
    try {
      const address = this.replyAddress(record);
      if (typeof address === 'string') return this.skip(where, 'bad_reply_headers', address);
      const age = Date.now() - Number(record.message.timestamp);
      if (age > this.limits.maxAgeMs)
        return this.skip(where, 'stale', `the command was written ${Math.round(age / 1000)} s ago`);
      const partitionProblem = await this.checkReplyPartition(address);
      if (partitionProblem) return this.skip(where, 'bad_reply_headers', partitionProblem);
      const valueProblem = this.checkValue(record.message.value);
      if (valueProblem) {
        skippedRecords.inc({ reason: 'bad_value' });
        this.commandLogger.warn(`command record ${where} refused: ${valueProblem}`);
        await this.sendMessage(
          {
            id: address.correlationId,
            response: { error_code: 'VALIDATION_FAILED', message: valueProblem },
            isDisposed: true,
          },
          address.topic,
          address.partition,
          address.correlationId,
          this.contextOf(record),
        );
        return undefined;
      }
      return await whileHeartbeating(record, () => super.handleMessage(record));
    } catch (error) {
      // Thrown back, kafkajs would retry this record forever and stall its partition.
      skippedRecords.inc({ reason: 'failed' });
      this.commandLogger.error(`command record ${where} failed: ${describe(error)}`);
      return undefined;
    }
  }

  override async sendMessage(
    message: OutgoingResponse,
    replyTopic: string,
    replyPartition: string | undefined | null,
    correlationId: string,
    context: KafkaContext,
  ): Promise<Awaited<ReturnType<ServerKafka['sendMessage']>>> {
    try {
      return await super.sendMessage(message, replyTopic, replyPartition, correlationId, context);
    } catch (error) {
      this.commandLogger.warn(
        `reply ${correlationId} to ${replyTopic}[${replyPartition ?? '-'}] not sent: ${describe(error)}`,
      );
      return [];
    }
  }

  override async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
    await super.close();
  }

  private skip(where: string, reason: string, problem: string): undefined {
    skippedRecords.inc({ reason });
    this.commandLogger.warn(`command record ${where} skipped: ${problem}`);
    return undefined;
  }

  /** The record's reply address, or what is wrong with its headers. */
  private replyAddress(record: CommandRecord): ReplyAddress | string {
    const headers = record.message.headers ?? {};
    const expectedTopic = `${record.topic}.reply`;
    const topic = singleText(headers['kafka_replyTopic']);
    if (topic === undefined) return 'no single kafka_replyTopic header';
    if (topic !== expectedTopic) {
      return `kafka_replyTopic must be ${expectedTopic}, got "${printable(topic)}"`;
    }
    const correlationId = singleText(headers['kafka_correlationId']);
    if (correlationId === undefined || !CORRELATION_ID.test(correlationId)) {
      return `kafka_correlationId must be 1-128 letters, digits, _ or -, got "${printable(correlationId ?? '')}"`;
    }
    const partition = singleText(headers['kafka_replyPartition']);
    if (partition === undefined || !PARTITION.test(partition)) {
      return `kafka_replyPartition must be a partition number, got "${printable(partition ?? '')}"`;
    }
    return { topic, partition, correlationId };
  }

  /**
   * A reply to a partition the topic does not have would vanish without an error. When the
   * partition count cannot be read (the broker is restarting), the reply is attempted anyway.
   */
  private async checkReplyPartition(address: ReplyAddress): Promise<string | undefined> {
    const partition = Number(address.partition);
    let known = this.partitionCounts.get(address.topic);
    const age = known ? Date.now() - known.readAt : Infinity;
    if (age > PARTITION_COUNT_TTL_MS || (known && partition >= known.count && age > 1000)) {
      try {
        known = { count: await this.partitionCount(address.topic), readAt: Date.now() };
        this.partitionCounts.set(address.topic, known);
      } catch (error) {
        this.commandLogger.warn(`partitions of ${address.topic} unknown: ${describe(error)}`);
        return undefined;
      }
    }
    if (known && partition >= known.count) {
      return `kafka_replyPartition ${partition} is not a partition of ${address.topic} (${known.count} partitions)`;
    }
    return undefined;
  }

  private async partitionCount(topic: string): Promise<number> {
    this.admin ??= (async () => {
      const admin = (this.client as unknown as Kafka).admin();
      await admin.connect();
      return admin;
    })();
    const admin = await this.admin;
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0]?.partitions.length ?? 0;
  }

  private checkValue(value: Buffer | null): string | undefined {
    // ClientKafka sends a command without payload as a record without value.
    if (value === null) return undefined;
    if (value.length > this.limits.maxValueBytes) {
      return `the value has ${value.length} bytes, more than ${this.limits.maxValueBytes}`;
    }
    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      return 'the value is not UTF-8 text';
    }
    try {
      parseJsonText(text, this.limits.maxDepth);
    } catch (error) {
      if (error instanceof JsonTextError) return `the value ${error.message}`;
      throw error;
    }
    return undefined;
  }

  private contextOf(record: CommandRecord): KafkaContext {
    return new KafkaContext([
      record.message as never,
      record.partition,
      record.topic,
      this.consumer!,
      record.heartbeat,
      this.producer!,
    ]);
  }
}

/** Well inside the shortest session timeout a service accepts (KAFKA_SESSION_TIMEOUT_MS). */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Runs a command while telling the group coordinator the consumer is alive: a handler slower
 * than the session timeout (top-up waiting for Stripe) otherwise drops the server out of its
 * group, and its uncommitted record is delivered again and the command runs twice. kafkajs
 * sends at most one heartbeat per heartbeat interval, so asking often costs nothing.
 */
async function whileHeartbeating<T>(record: CommandRecord, run: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    // During a rebalance it throws; the consumer's own loop then rejoins.
    record.heartbeat().catch(() => undefined);
  }, HEARTBEAT_EVERY_MS);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}

/** One header given once as text; undefined when missing or repeated. */
function singleText(value: HeaderValue | undefined): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** Header text fit for a log line: control characters escaped, at most 100 characters. */
function printable(text: string): string {
  const shown = JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
  return shown.slice(1, -1);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Connects the command server of a service to its app; start it with `app.startAllMicroservices()`. */
export function connectCommandServer(
  app: INestApplication,
  kafka: KafkaConfig,
  group: string,
  limits: CommandLimits = DEFAULT_COMMAND_LIMITS,
): void {
  app.connectMicroservice(
    {
      strategy: new CommandServer(
        {
          client: kafkaClientConfig(kafka, `${kafka.clientId}-commands`),
          consumer: { groupId: topicName(kafka, group), sessionTimeout: kafka.sessionTimeoutMs },
          producer: { createPartitioner: Partitioners.DefaultPartitioner },
          // A partition no command has reached yet has no committed offset. Read from its end,
          // it would start where it ends when its owner first fetches: after a join, past the
          // commands written meanwhile (ADR 0151).
          subscribe: { fromBeginning: true },
          run: { partitionsConsumedConcurrently: 3 },
        },
        kafka.topicSuffix,
        limits,
      ),
    },
    { inheritAppConfig: false },
  );
}
