import type { UsageRated } from '@tally/budget-domain';
import { ServiceHarness, eventually, queryDatabase, usageEvent } from '@tally/testing';
import type { TopicRecorder, UsageEventFixture } from '@tally/testing';

const ACCOUNTS = 20;

function stream(count: number): UsageEventFixture[] {
  return Array.from({ length: count }, (_, i) =>
    usageEvent({
      subject: `acct_${i % ACCOUNTS}`,
      data: { input_tokens: 1000 + (i % 7), output_tokens: 10 },
    }),
  );
}

async function produceAll(harness: ServiceHarness, events: UsageEventFixture[]): Promise<void> {
  for (let start = 0; start < events.length; start += 1000) {
    const chunk = events.slice(start, start + 1000);
    await harness.kafka.produce(
      harness.topic('usage.events'),
      chunk.map((event) => ({ key: event.subject, value: JSON.stringify(event) })),
    );
  }
}

function distinctRated(recorder: TopicRecorder): Map<string, UsageRated> {
  return new Map(recorder.json<UsageRated>().map((rated) => [rated.id, rated]));
}

async function expectEachRatedOnce(
  harness: ServiceHarness,
  rated: TopicRecorder,
  events: UsageEventFixture[],
): Promise<void> {
  await eventually(() => expect(distinctRated(rated).size).toBe(events.length), 100_000, 500);
  expect([...distinctRated(rated).keys()].sort()).toEqual(events.map((event) => event.id).sort());
  // Each event's record of having been rated is its usage.rated row in the outbox, once.
  const [recorded] = await queryDatabase<{ count: number; distinct_keys: number }>(
    harness.isolation.databaseUrl,
    `SELECT count(*)::int AS count, count(DISTINCT dedupe_key)::int AS distinct_keys
     FROM "${harness.isolation.schema('metering')}".outbox WHERE dedupe_key IS NOT NULL`,
  );
  expect(recorded).toEqual({ count: events.length, distinct_keys: events.length });
  // Exactly once on the topic too: the relay's Kafka transactions leave no second copy.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(rated.messages.length).toBe(events.length);
}

describe('metering under crashes', () => {
  const harness = new ServiceHarness();
  let rated: TopicRecorder;

  beforeAll(async () => {
    await harness.start('metering');
    rated = await harness.kafka.record(harness.topic('usage.rated'));
  });
  afterAll(() => harness.stop());

  it('SIGKILL in the middle of a 20,000-event stream, then restart: exactly 20,000 rated, none twice', async () => {
    const events = stream(20_000);
    const producing = produceAll(harness, events);
    await eventually(() => expect(rated.messages.length).toBeGreaterThan(3_000), 60_000, 20);
    const [instance] = harness.running('metering');
    await instance!.kill();
    const ratedAtKill = distinctRated(rated).size;
    expect(ratedAtKill).toBeLessThan(events.length);
    await producing;

    await harness.startService('metering');
    await expectEachRatedOnce(harness, rated, events);
  });
});

describe('metering with two instances in one consumer group', () => {
  const harness = new ServiceHarness();
  let rated: TopicRecorder;

  beforeAll(async () => {
    await harness.start('metering', 'metering');
    rated = await harness.kafka.record(harness.topic('usage.rated'));
  });
  afterAll(() => harness.stop());

  it('loses nothing and rates nothing twice when one instance stops mid-stream', async () => {
    const events = stream(10_000);
    const producing = produceAll(harness, events);
    await eventually(() => expect(rated.messages.length).toBeGreaterThan(2_000), 120_000, 20);
    const [first] = harness.running('metering');
    await first!.stop();
    await producing;
    expect(harness.running('metering')).toHaveLength(1);
    await expectEachRatedOnce(harness, rated, events);
  });
});
