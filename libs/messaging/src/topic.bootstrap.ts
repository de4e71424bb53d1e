import { Logger } from '@nestjs/common';
import type { ITopicConfig, ITopicMetadata, Kafka } from 'kafkajs';
import type { KafkaConfig } from './kafka.config';

/** Topic-level settings for topics created here, by topic name (e.g. `max.message.bytes`). */
export type TopicConfigs = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** How many replicas a created topic gets and how many must hold a write (ADR 0196). */
export type TopicDurability = Pick<KafkaConfig, 'replicationFactor' | 'minInsyncReplicas'>;

/**
 * The topics to create: their own settings, and the configured replicas and
 * `min.insync.replicas` (the broker's defaults when unset).
 */
export function newTopics(
  topics: readonly string[],
  partitions: number,
  { configs = {}, durability = {} }: { configs?: TopicConfigs; durability?: TopicDurability },
): ITopicConfig[] {
  return topics.map((topic) => ({
    topic,
    numPartitions: partitions,
    replicationFactor: durability.replicationFactor ?? -1,
    configEntries: Object.entries({
      ...configs[topic],
      ...(durability.minInsyncReplicas === undefined
        ? {}
        : { 'min.insync.replicas': String(durability.minInsyncReplicas) }),
    }).map(([name, value]) => ({ name, value })),
  }));
}

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
  durability: TopicDurability = {},
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
      await admin
        .createTopics({
          waitForLeaders: false,
          topics: newTopics(missing, partitions, { configs, durability }),
        })
        .catch((error: unknown) => {
          throw namedRefusal(error);
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
      if (ready && metadata) {
        warnOfFewerReplicas(metadata.topics, durability);
        return;
      }
      if (Date.now() > deadline)
        throw new Error(`topics without leaders after ${timeoutMs} ms: ${wanted.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * An existing topic keeps the replicas it was created with (one, by a broker's defaults): the
 * operator has to reassign its partitions (docs/operations.md, Kafka durability).
 */
function warnOfFewerReplicas(topics: ITopicMetadata[], durability: TopicDurability): void {
  const wanted = durability.replicationFactor;
  if (wanted === undefined) return;
  for (const topic of topics) {
    const fewest = Math.min(...topic.partitions.map((partition) => partition.replicas.length));
    if (fewest < wanted)
      new Logger('ensureTopics').error(
        `topic ${topic.name} has partitions with ${fewest} replicas, not KAFKA_REPLICATION_FACTOR ${wanted}: a broker lost loses their records (docs/operations.md, Kafka durability)`,
      );
  }
}

/**
 * kafkajs says only "Topic creation errors": the topics and the broker's reasons
 * (INVALID_REPLICATION_FACTOR with fewer brokers up than KAFKA_REPLICATION_FACTOR) are in it.
 */
function namedRefusal(error: unknown): unknown {
  const causes = (error as { errors?: unknown }).errors;
  if (!Array.isArray(causes) || causes.length === 0) return error;
  const reasons = causes.map((cause: { topic?: string; type?: string; message?: string }) => {
    return `${cause.topic ?? '?'}: ${cause.type ?? cause.message ?? String(cause)}`;
  });
  return new Error(`the broker refused to create topics: ${reasons.join(', ')}`, { cause: error });
}
