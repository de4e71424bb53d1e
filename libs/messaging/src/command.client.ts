import { ClientKafka } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { TimeoutError, lastValueFrom, timeout } from 'rxjs';
import type { KafkaConfig } from './kafka.config';
import { kafkaClientConfig, topicName } from './kafka.config';

export interface CommandClientOptions {
  /**
   * Brokers, client id, test suffix, in secure mode SASL and TLS, and the session timeout of
   * the reply group (kafkajs's 30 s without): a crashed instance's reply partitions move to
   * the others, and a replacement can join, only once it has passed.
   */
  readonly kafka: Pick<KafkaConfig, 'brokers' | 'clientId' | 'topicSuffix' | 'sasl' | 'ssl'> &
    Partial<Pick<KafkaConfig, 'sessionTimeoutMs'>>;
  /**
   * Consumer group of the replies (the topic suffix is added): instances of one service share
   * it, each told which reply partitions are its own. The broker's ACLs allow admin's
   * principal groups named `admin…`.
   */
  readonly group: string;
  /** The patterns this client sends; their `.reply` topics are subscribed at connect. */
  readonly patterns: readonly string[];
  /** How long a reply may take before `send` gives up (default 10 s). */
  readonly timeoutMs?: number;
}

/** The service that answers a command did not reply in time: it may be down, or behind. */
export class CommandTimeoutError extends Error {
  constructor(
    readonly pattern: string,
    readonly timeoutMs: number,
  ) {
    super(`${pattern} got no reply within ${timeoutMs} ms`);
    this.name = 'CommandTimeoutError';
  }
}

/**
 * Sends request-reply commands over Kafka (DESIGN 2) as admin does: @nestjs/microservices'
 * ClientKafka, replies on `<pattern>.reply`, patterns with the configured topic suffix. The
 * reply is returned whatever it is, a result or a refusal `{ error_code, message }`; only a
 * missing reply throws (CommandTimeoutError).
 */
export class CommandClient {
  private readonly client: ClientKafka;
  private readonly timeoutMs: number;

  constructor(private readonly options: CommandClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.client = new ClientKafka({
      client: kafkaClientConfig(options.kafka, options.kafka.clientId),
      consumer: {
        groupId: topicName(options.kafka, options.group),
        ...(options.kafka.sessionTimeoutMs === undefined
          ? {}
          : { sessionTimeout: options.kafka.sessionTimeoutMs }),
      },
      producer: { createPartitioner: Partitioners.DefaultPartitioner },
      // A reply partition without a committed offset is read from its beginning, not from its
      // end at the first fetch, which may come after the reply (ADR 0151). Replies to
      // requests this client did not send are ignored.
      subscribe: { fromBeginning: true },
    });
    for (const pattern of options.patterns) this.client.subscribeToResponseOf(this.topic(pattern));
  }

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  /**
   * Sends a command keyed by its `account_id` (DESIGN 2), so that one account's commands run in
   * the order they were sent: a command admin answered 504 for cannot overtake the next one.
   */
  async send<T = Record<string, unknown>>(
    pattern: string,
    payload: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    try {
      return await lastValueFrom(
        this.client.send<T>(this.topic(pattern), asRecord(payload)).pipe(timeout(timeoutMs)),
      );
    } catch (error) {
      if (error instanceof TimeoutError) throw new CommandTimeoutError(pattern, timeoutMs);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private topic(pattern: string): string {
    return topicName(this.options.kafka, pattern);
  }
}

/**
 * The record ClientKafka writes. Always `{ key, value }`: ClientKafka takes any object with a
 * `key` or `value` field for a record, so a payload is never passed bare.
 */
function asRecord(payload: unknown): { key: string | null; value: unknown } {
  const accountId =
    typeof payload === 'object' && payload !== null
      ? (payload as { account_id?: unknown }).account_id
      : undefined;
  return { key: typeof accountId === 'string' ? accountId : null, value: payload };
}
