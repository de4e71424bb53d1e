import { eventually } from './eventually';
import { MALFORMED_RECORDS, hostileVariants } from './hostile-records';
import type { InProcessApp } from './in-process.app';
import { scrapeMetrics } from './metrics';

/** A topic a service consumes: how the service reads a record, and a valid payload of it. */
export interface ConsumedTopic {
  /** The contract topic name, which is also its consumer's name (`<service>.<topic>`). */
  readonly topic: string;
  readonly decode: (value: Buffer | string | null) => { readonly ok: boolean };
  /** A valid payload with identities of its own at every call. */
  readonly make: () => Record<string, unknown>;
}

/** What a service's exactly-once consumer of one topic counted, beside what it was sent. */
export interface ConsumerCount {
  readonly topic: string;
  /** Records produced to the topic. */
  readonly produced: number;
  /** Of those, the ones the topic's reader refuses. */
  readonly refused: number;
  /** Records the consumer counted: applied, dead-lettered, or seen before. */
  readonly handled: number;
  readonly deadLettered: number;
}

/**
 * Produces every hostile variant of each topic's payload and every malformed record, then a
 * valid record, all on one partition (one key), and waits until the service's consumers have
 * counted each record once (applied, dead-lettered or seen before): a record that stalled its
 * partition would leave the count short for good. Answers the records produced and what each
 * consumer counted, with the dead letters the topic's reader expects.
 */
export async function produceBadRecords(
  app: Pick<InProcessApp, 'kafka' | 'topic' | 'url'>,
  service: string,
  topics: readonly ConsumedTopic[],
  key: string,
): Promise<ConsumerCount[]> {
  const produced = topics.map(({ topic, decode, make }) => {
    const values = [...hostileVariants(make), ...MALFORMED_RECORDS, JSON.stringify(make())];
    const refused = values.filter(
      (value) => !decode(typeof value === 'string' ? Buffer.from(value, 'utf8') : value).ok,
    ).length;
    return { topic, values, refused };
  });
  for (const { topic, values } of produced) {
    await app.kafka.produce(
      app.topic(topic),
      values.map((value) => ({ key, value })),
    );
  }
  return eventually(
    async () => {
      const metrics = await scrapeMetrics(app.url);
      const count = (topic: string, outcome: string) =>
        metrics.get(
          `tally_consumer_messages_total{consumer="${service}.${topic}",outcome="${outcome}"}`,
        ) ?? 0;
      const counted: ConsumerCount[] = produced.map(({ topic, values, refused }) => ({
        topic,
        produced: values.length,
        refused,
        handled:
          count(topic, 'applied') + count(topic, 'dead_lettered') + count(topic, 'duplicate'),
        deadLettered: count(topic, 'dead_lettered'),
      }));
      const short = counted.filter((counts) => counts.handled < counts.produced);
      if (short.length > 0) {
        throw new Error(
          `records not handled: ${short.map((c) => `${c.topic} ${c.handled} of ${c.produced}`).join(', ')}`,
        );
      }
      return counted;
    },
    90_000,
    500,
  );
}
