import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Topics } from '@tally/budget-domain';
import { KafkaTestClient, dropSchemas, isolate } from '@tally/testing';
import type { Isolation, TopicRecorder } from '@tally/testing';
import type { MeteringConfig } from '../src/config/metering.config';
import { MeteringModule } from '../src/metering.module';

/** One metering instance on the real broker and database, with topics and schema of its own. */
export class MeteringHarness {
  readonly kafka: KafkaTestClient;
  rated!: TopicRecorder;
  deadLetters!: TopicRecorder;
  private readonly apps: INestApplication[] = [];

  constructor(
    readonly isolation: Isolation = isolate(),
    private readonly ratingOverrides: Partial<MeteringConfig['rating']> = {},
  ) {
    this.kafka = new KafkaTestClient(isolation.kafkaBrokers);
  }

  get config(): MeteringConfig {
    return {
      port: 0,
      database: { url: this.isolation.databaseUrl, schema: this.isolation.schema('metering'), poolSize: 4 },
      kafka: { brokers: this.isolation.kafkaBrokers, clientId: 'metering-test', topicSuffix: this.isolation.suffix, partitions: 3, sessionTimeoutMs: 10_000 },
      rating: { maxEventAgeMs: 35 * 24 * 3600 * 1000, maxFutureSkewMs: 5 * 60 * 1000, ...this.ratingOverrides },
    };
  }

  topic(name: string): string {
    return `${name}.${this.isolation.suffix}`;
  }

  async start(): Promise<this> {
    await this.kafka.connect();
    await this.startInstance();
    this.rated = await this.kafka.record(this.topic(Topics.UsageRated));
    this.deadLetters = await this.kafka.record(this.topic(Topics.UsageDeadLetter));
    return this;
  }

  async startInstance(): Promise<INestApplication> {
    const app = await NestFactory.create(MeteringModule.forRoot(this.config), { logger: ['error', 'warn'] });
    await app.init();
    this.apps.push(app);
    return app;
  }

  /** Stops every instance (graceful) and starts a fresh one on the same schema and topics. */
  async restart(): Promise<void> {
    for (const app of this.apps.splice(0)) await app.close();
    await this.startInstance();
  }

  async produce(events: unknown[], key = 'acct_test'): Promise<void> {
    await this.kafka.produceJson(this.topic(Topics.UsageEvents), key, events);
  }

  async produceRaw(value: string | Buffer | null, key = 'acct_test'): Promise<void> {
    await this.kafka.produce(this.topic(Topics.UsageEvents), [{ key, value }]);
  }

  async stop(): Promise<void> {
    for (const app of this.apps.splice(0)) await app.close();
    await this.kafka.close();
    await dropSchemas(this.isolation.databaseUrl, [this.isolation.schema('metering')]);
  }
}
