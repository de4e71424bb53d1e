import { randomUUID } from 'node:crypto';
import { ClientKafka } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import { lastValueFrom, timeout } from 'rxjs';

/** Sends commands to a service over Kafka request-reply, as admin does (ClientKafka). */
export class CommandClient {
  private readonly client: ClientKafka;

  constructor(
    brokers: string[],
    private readonly topicSuffix: string,
    patterns: readonly string[],
    /**
     * kafkajs SASL/TLS settings for a broker in secure mode (plaintext without), and the reply
     * consumer's group (its ACLs may allow only some names).
     */
    options: Pick<KafkaConfig, 'sasl' | 'ssl'> & { groupId?: string } = {},
  ) {
    const { groupId, ...security } = options;
    this.client = new ClientKafka({
      client: { clientId: 'tally-test-commands', brokers, ...security },
      consumer: { groupId: groupId ?? `test-commands-${randomUUID()}` },
      producer: { createPartitioner: Partitioners.DefaultPartitioner },
    });
    for (const pattern of patterns) this.client.subscribeToResponseOf(this.topic(pattern));
  }

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  /** The reply, whatever it is: a result or a refusal `{ error_code, message }`. */
  send<T = Record<string, unknown>>(
    pattern: string,
    payload: unknown,
    timeoutMs = 20_000,
  ): Promise<T> {
    return lastValueFrom(
      this.client.send<T>(this.topic(pattern), payload).pipe(timeout(timeoutMs)),
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private topic(pattern: string): string {
    return this.topicSuffix ? `${pattern}.${this.topicSuffix}` : pattern;
  }
}
