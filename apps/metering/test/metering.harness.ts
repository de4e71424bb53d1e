import { Topics } from '@tally/budget-domain';
import type { DeadLetterRecord, UsageRated } from '@tally/budget-domain';
import { InProcessApp, eventually, isolate } from '@tally/testing';
import type { Isolation, TopicRecorder } from '@tally/testing';
import type { MeteringConfig } from '../src/config/metering.config';
import { MeteringModule } from '../src/metering.module';

export function meteringConfig(
  isolation: Isolation,
  rating: Partial<MeteringConfig['rating']> = {},
): MeteringConfig {
  return {
    port: 0,
    database: { url: isolation.databaseUrl, schema: isolation.schema('metering'), poolSize: 4 },
    kafka: {
      brokers: isolation.kafkaBrokers,
      clientId: 'metering-test',
      topicSuffix: isolation.suffix,
      partitions: 3,
      sessionTimeoutMs: 10_000,
    },
    rating: { maxEventAgeMs: 35 * 24 * 3600 * 1000, maxFutureSkewMs: 5 * 60 * 1000, ...rating },
  };
}

/** Metering in the test process, with recorders on what it publishes. */
export class MeteringHarness extends InProcessApp {
  rated!: TopicRecorder;
  deadLetters!: TopicRecorder;

  constructor(isolation: Isolation = isolate(), rating: Partial<MeteringConfig['rating']> = {}) {
    super(
      (i) => MeteringModule.forRoot(meteringConfig(i, rating)),
      (i) => [i.schema('metering')],
      isolation,
    );
  }

  override async start(): Promise<this> {
    await super.start();
    this.rated = await this.kafka.record(this.topic(Topics.UsageRated));
    this.deadLetters = await this.kafka.record(this.topic(Topics.UsageDeadLetter));
    return this;
  }

  async produce(events: unknown[], key = 'acct_test'): Promise<void> {
    await this.kafka.produceJson(this.topic(Topics.UsageEvents), key, events);
  }

  async produceRaw(
    value: string | Buffer | null,
    key: string | Buffer | null = 'acct_test',
  ): Promise<void> {
    await this.kafka.produce(this.topic(Topics.UsageEvents), [{ key, value }]);
  }

  /** Waits until the event's usage.rated record has reached the test. */
  async waitUntilRated(id: string): Promise<void> {
    await eventually(() => {
      if (!this.rated.json<UsageRated>().some((r) => r.id === id))
        throw new Error(`${id} not rated yet`);
    });
  }

  /**
   * Waits for `count` dead letters keyed by `key`, and returns them in log order. The rated
   * record behind them can reach the test first, and other tests' dead letters share the topic.
   */
  async deadLettersOf(key: string, count: number): Promise<DeadLetterRecord[]> {
    return (await eventually(async () => {
      const found = this.deadLetters.json<DeadLetterRecord>().filter((d) => d.key === key);
      expect(found).toHaveLength(count);
      return found;
    }))!;
  }
}
