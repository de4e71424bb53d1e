import { ClientKafka } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { TimeoutError, lastValueFrom, timeout } from 'rxjs';
import type { KafkaConfig } from './kafka.config';
import { topicName } from './kafka.config';

export interface CommandClientOptions {
  readonly kafka: Pick<KafkaConfig, 'brokers' | 'clientId' | 'topicSuffix'>;
  /** Consumer group of the replies: instances of one service share it (each is told its partitions). */
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
      client: { clientId: options.kafka.clientId, brokers: options.kafka.brokers },
      consumer: { groupId: topicName(options.kafka, options.group) },
      producer: { createPartitioner: Partitioners.DefaultPartitioner },
    });
    for (const pattern of options.patterns) this.client.subscribeToResponseOf(this.topic(pattern));
  }

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  async send<T = Record<string, unknown>>(
    pattern: string,
    payload: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    try {
      return await lastValueFrom(
        this.client.send<T>(this.topic(pattern), payload).pipe(timeout(timeoutMs)),
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
