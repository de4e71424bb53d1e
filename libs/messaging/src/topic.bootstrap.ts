import type { Kafka } from 'kafkajs';

/** Topic-level settings for topics created here, by topic name (e.g. `max.message.bytes`). */
export type TopicConfigs = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * Creates the topics a service reads or writes, if they do not exist yet (with `configs`),
 * and waits until every partition of them has a leader (a subscriber that comes too early is
 * refused). Every service bootstraps its own topics, so start order does not matter; an
 * existing topic is left as it is.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  partitions: number,
  configs: TopicConfigs = {},
  timeoutMs = 30_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = [...new Set(topics)];
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      // Not kafkajs' waitForLeaders: it gives up when the broker has not yet applied the new
      // topic to its metadata ("does not host this topic-partition"), which happened here
      // while the broker was still deleting other topics. The loop below waits instead.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: -1,
          configEntries: Object.entries(configs[topic] ?? {}).map(([name, value]) => ({
            name,
            value,
          })),
        })),
      });
    }
    // Also after a broker restart: existing partitions may still be electing their leaders.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Asked about a topic it has not applied yet, the broker answers with an error kafkajs
      // logs at ERROR level: ask only once the broker lists every topic.
      const listed = new Set(await admin.listTopics().catch(() => []));
      const metadata = wanted.every((topic) => listed.has(topic))
        ? await admin.fetchTopicMetadata({ topics: wanted }).catch(() => undefined)
        : undefined;
      const ready = metadata?.topics.every(
        (topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0),
      );
      if (ready) return;
      if (Date.now() > deadline)
        throw new Error(`topics without leaders after ${timeoutMs} ms: ${wanted.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
