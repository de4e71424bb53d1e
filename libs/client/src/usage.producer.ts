import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { KafkaConfig, Producer } from 'kafkajs';
import { buildUsageEvent } from './usage-event.factory';
import type { UsageCloudEvent, UsageInput } from './usage-event.factory';

export interface UsageProducerOptions {
  readonly brokers: string[];
  /** The CloudEvents `source`: with the event id, the key Tally dedupes on. */
  readonly source: string;
  readonly topic?: string;
  readonly clientId?: string;
  /** SASL credentials, for a broker that requires them (kafkajs' options, e.g. scram-sha-512). */
  readonly sasl?: KafkaConfig['sasl'];
  /** TLS to the broker (kafkajs' `ssl`). */
  readonly ssl?: KafkaConfig['ssl'];
  /** Events buffered by record() are sent once this many are waiting ... */
  readonly maxBatchSize?: number;
  /** ... or after this long. */
  readonly lingerMs?: number;
}

/**
 * Sends usage events to Tally. Idempotent producer with retries: a retried send cannot
 * duplicate a record, and an event re-sent by the caller (same id) is counted once by Tally.
 */
export class UsageProducer {
  private readonly producer: Producer;
  private readonly topic: string;
  private buffer: UsageCloudEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private lastError: unknown;

  private constructor(private readonly options: UsageProducerOptions) {
    const kafka = new Kafka({
      clientId: options.clientId ?? 'tally-client',
      brokers: options.brokers,
      logLevel: logLevel.ERROR,
      retry: { retries: 8, initialRetryTime: 200 },
      ...(options.sasl ? { sasl: options.sasl } : {}),
      ...(options.ssl ? { ssl: options.ssl } : {}),
    });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.topic = options.topic ?? 'usage.events';
  }

  static async connect(options: UsageProducerOptions): Promise<UsageProducer> {
    const client = new UsageProducer(options);
    await client.producer.connect();
    return client;
  }

  /** Sends now; resolves when the broker acknowledged every event. Returns the events sent. */
  async send(inputs: UsageInput[]): Promise<UsageCloudEvent[]> {
    const events = inputs.map((input) => buildUsageEvent(input, this.options.source));
    await this.sendEvents(events);
    return events;
  }

  /** Buffers one event for a batched send; returns its id. Call flush() before exit. */
  record(input: UsageInput): string {
    const event = buildUsageEvent(input, this.options.source);
    this.buffer.push(event);
    if (this.buffer.length >= (this.options.maxBatchSize ?? 500)) void this.drain();
    else this.timer ??= setTimeout(() => void this.drain(), this.options.lingerMs ?? 20);
    return event.id;
  }

  /**
   * Sends everything buffered. If a send failed (after the producer's retries), its events
   * go back to the buffer and flush() rejects with the error: nothing is dropped silently.
   */
  async flush(): Promise<void> {
    await this.drain();
    const error = this.lastError;
    this.lastError = undefined;
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.producer.disconnect();
  }

  private drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.buffer;
    this.buffer = [];
    if (events.length > 0) {
      this.inFlight = this.inFlight.then(() =>
        this.sendEvents(events).catch((error: unknown) => {
          this.buffer.unshift(...events);
          this.lastError = error;
        }),
      );
    }
    return this.inFlight;
  }

  private async sendEvents(events: UsageCloudEvent[]): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: events.map((event) => ({
        key: event.subject,
        value: JSON.stringify(event),
        headers: { 'content-type': 'application/cloudevents+json' },
      })),
    });
  }
}
