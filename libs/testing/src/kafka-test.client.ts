import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Consumer, IHeaders, KafkaConfig, Producer } from 'kafkajs';
import { eventually } from './eventually';

export interface RecordedMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  /** Header values as UTF-8 text (a repeated header keeps its last value). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Everything published to one topic, in arrival order, each log position once: a recorder
 * whose consumer re-reads after a broker restart does not count a record twice, so copies
 * here are real copies on the topic.
 */
export class TopicRecorder {
  readonly messages: RecordedMessage[] = [];
  private readonly positions = new Set<string>();

  add(message: RecordedMessage): void {
    const position = `${message.partition}:${message.offset}`;
    if (this.positions.has(position)) return;
    this.positions.add(position);
    this.messages.push(message);
  }

  constructor(readonly topic: string) {}

  json<T>(): T[] {
    return this.messages.map(
      (message) => JSON.parse(message.value?.toString('utf8') ?? 'null') as T,
    );
  }

  /** Waits until at least `count` messages arrived; returns them parsed. */
  async waitForCount<T>(count: number, timeoutMs = 30_000): Promise<T[]> {
    return eventually(() => {
      if (this.messages.length < count) {
        throw new Error(`${this.topic}: ${this.messages.length} of ${count} messages arrived`);
      }
      return this.json<T>();
    }, timeoutMs);
  }
}

/** A producer and recorders on the real broker, for black-box tests of the services. */
export class KafkaTestClient {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly consumers: Consumer[] = [];

  /** `security`: kafkajs SASL/TLS settings, for a broker in secure mode (plaintext without). */
  constructor(brokers: string[], security: Pick<KafkaConfig, 'sasl' | 'ssl'> = {}) {
    this.kafka = new Kafka({
      clientId: 'tally-test',
      brokers,
      logLevel: logLevel.ERROR,
      ...security,
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<this> {
    await this.producer.connect();
    return this;
  }

  async produce(
    topic: string,
    messages: Array<{ key: string | Buffer | null; value: string | Buffer | null }>,
  ): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages });
  }

  async produceJson(topic: string, key: string, payloads: unknown[]): Promise<void> {
    await this.produce(
      topic,
      payloads.map((payload) => ({ key, value: JSON.stringify(payload) })),
    );
  }

  /** Records a topic from its beginning; resolves once the recorder's group is assigned. */
  async record(topic: string): Promise<TopicRecorder> {
    const recorder = new TopicRecorder(topic);
    const consumer = this.kafka.consumer({
      groupId: `recorder-${randomUUID()}`,
      maxWaitTimeInMs: 100,
    });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        recorder.add({
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          headers: headerTexts(message.headers),
        });
      },
    });
    await joined;
    return recorder;
  }

  /**
   * Deletes a test run's own topics, `<name>.<suffix>` and their command replies
   * (`<name>.<suffix>.reply`), once it is done with them. Left behind, they piled up: a broker
   * holding 9,325 partitions took over 90 s to start after an unclean stop.
   */
  async deleteTopics(suffix: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) =>
        topic.split('.').includes(suffix),
      );
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect()));
    await this.producer.disconnect();
  }
}

function headerTexts(headers: IHeaders | undefined): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) texts[name] = last.toString();
  }
  return texts;
}
