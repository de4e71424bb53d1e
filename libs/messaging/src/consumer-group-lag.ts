import type { Kafka } from 'kafkajs';
import { gauge } from '@tally/platform';

/** A consumer group and the topics it subscribes to. */
export interface WatchedGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

/** What the broker says of one partition of a group: how far its committed offset is behind. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** Records between the group's committed offset (its log's start if none) and the log's end. */
  readonly lag: bigint;
  /** Seconds the committed offset has not moved while records waited; 0 when none wait. */
  readonly stalledSeconds: number;
}

const groupLag = gauge(
  'tally_consumer_group_lag',
  "Records between a group's committed offset and the partition's end, as the broker says",
  ['group', 'topic', 'partition'],
);
const stalled = gauge(
  'tally_consumer_group_stalled_seconds',
  "Seconds a group's committed offset has not moved while its partition had records to read",
  ['group', 'topic', 'partition'],
);

/** A partition's committed offset as last seen, and since when records have waited behind it. */
interface Progress {
  readonly labels: { group: string; topic: string; partition: string };
  readonly committed: bigint;
  readonly waitingSince: number | undefined;
}

/**
 * The lag of a service's consumer groups as the broker records it: their committed offsets
 * against their topics' ends. Unlike the consumer's own lag, reported after each handled batch,
 * this also sees a partition the group was assigned and never fetched, or one whose batches
 * never complete, so it is what an operator alerts on (docs/operations.md).
 */
export class ConsumerGroupLag {
  private readonly progress = new Map<string, Progress>();

  constructor(
    private readonly kafka: Kafka,
    private readonly groups: () => readonly WatchedGroup[],
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reads the groups' committed offsets and their topics' ends, and sets the gauges. A client of
   * its own per round reads the topics' partitions afresh: the consumers' metadata, and a kept
   * admin client's, may not know partitions added since.
   */
  async sample(): Promise<PartitionLag[]> {
    const groups = this.groups();
    if (groups.length === 0) return [];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = [...new Set(groups.flatMap((group) => group.topics))];
      const ends = new Map(
        await Promise.all(
          topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const),
        ),
      );
      const lags: PartitionLag[] = [];
      for (const { groupId, topics: groupTopics } of groups) {
        const committed = await admin.fetchOffsets({ groupId, topics: [...groupTopics] });
        for (const { topic, partitions } of committed) {
          for (const end of ends.get(topic) ?? []) {
            const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
            lags.push(this.record(groupId, topic, end, BigInt(offset)));
          }
        }
      }
      return lags;
    } finally {
      await admin.disconnect();
    }
  }

  /** Clears the gauges this instance set, so a stopped service leaves no stale series behind. */
  clear(): void {
    for (const { labels } of this.progress.values()) {
      groupLag.remove(labels);
      stalled.remove(labels);
    }
    this.progress.clear();
  }

  private record(
    group: string,
    topic: string,
    end: { partition: number; high: string; low: string },
    committed: bigint,
  ): PartitionLag {
    // No committed offset (-1), or one retention passed: the group reads from the log's start.
    const from = committed > BigInt(end.low) ? committed : BigInt(end.low);
    const behind = BigInt(end.high) - from;
    const lag = behind > 0n ? behind : 0n;
    const key = `${group}|${topic}|${end.partition}`;
    const before = this.progress.get(key);
    const now = this.now();
    const waitingSince =
      lag === 0n ? undefined : before?.committed === committed ? (before.waitingSince ?? now) : now;
    const labels = { group, topic, partition: String(end.partition) };
    this.progress.set(key, { labels, committed, waitingSince });
    const stalledSeconds = waitingSince === undefined ? 0 : (now - waitingSince) / 1000;
    groupLag.set(labels, Number(lag));
    stalled.set(labels, stalledSeconds);
    return { group, topic, partition: end.partition, lag, stalledSeconds };
  }
}
