import { Kafka, logLevel } from 'kafkajs';
import { KafkaTestClient, eventually, isolate } from '@tally/testing';
import { BatchConsumer, ensureTopics } from '../src';
import { sleep, withAdmin } from './service-instance';

interface TopicMetadata {
  readonly topic: string;
  readonly partitionMetadata: ReadonlyArray<{ readonly partitionId: number }>;
}
interface BrokerPool {
  metadata: { topicMetadata: TopicMetadata[] } | null;
  readonly seedBroker: { readonly connectionPool: { readonly clientId: string } };
  refreshMetadata(topics: string[]): Promise<void>;
}
const brokerPool = require('kafkajs/src/cluster/brokerPool') as { prototype: BrokerPool };

/**
 * Two instances consume a topic whose partitions go from 2 to 4, and one of them reads metadata
 * that shows the new partitions only some seconds later (a broker whose metadata cache lags the
 * controller's, as in a cluster of several brokers, or a refresh that was under way). The group
 * assigns it a new partition its metadata does not have yet (kafkajs logs "Consumer is not aware
 * of all assigned partitions, refreshing metadata"): it must take it up once its metadata shows
 * it, and go on consuming, not stop for good.
 */
describe('a member that learns of added partitions late', () => {
  const isolation = isolate();
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const kafkaOf = (clientId: string) =>
    new Kafka({ clientId, brokers: isolation.kafkaBrokers, logLevel: logLevel.NOTHING });
  const topic = `late-partitions.${isolation.suffix}`;
  const groupId = `late-partitions-${isolation.suffix}`;
  const lateClientId = `late-${isolation.suffix}`;
  let hideAddedUntil = 0;
  const refreshMetadata = brokerPool.prototype.refreshMetadata;
  const consumers: BatchConsumer[] = [];

  beforeAll(async () => {
    brokerPool.prototype.refreshMetadata = async function (this: BrokerPool, topics: string[]) {
      await refreshMetadata.call(this, topics);
      if (this.seedBroker.connectionPool.clientId !== lateClientId) return;
      if (Date.now() >= hideAddedUntil || !this.metadata) return;
      this.metadata = {
        ...this.metadata,
        topicMetadata: this.metadata.topicMetadata.map((metadata) =>
          metadata.topic === topic
            ? {
                ...metadata,
                partitionMetadata: metadata.partitionMetadata.filter((p) => p.partitionId < 2),
              }
            : metadata,
        ),
      };
    };
    await client.connect();
  });

  afterAll(async () => {
    brokerPool.prototype.refreshMetadata = refreshMetadata;
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await client.close();
    await client.deleteTopics(isolation.suffix);
  });

  /**
   * Writes one record to each partition, with a producer that knows the topic as it is now: a
   * kafkajs producer drops records for a partition its metadata does not have.
   */
  const produce = async (partitions: number[], value: string) => {
    const producer = kafkaOf(`producer-${isolation.suffix}`).producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: partitions.map((partition) => ({ partition, value })),
      });
    } finally {
      await producer.disconnect();
    }
  };

  it('takes up the partition once its metadata shows it, and both members go on consuming', async () => {
    await ensureTopics(kafkaOf('late-partitions-admin'), [topic], 2);
    const handledBy: Record<string, string[]> = { early: [], late: [] };
    for (const [name, clientId] of [
      ['early', `early-${isolation.suffix}`],
      ['late', lateClientId],
    ] as const) {
      const consumer = new BatchConsumer(kafkaOf(clientId), {
        groupId,
        topics: [topic],
        sessionTimeoutMs: 10_000,
        metadataMaxAgeMs: 2_000,
        handler: async (messages) => {
          handledBy[name]!.push(...messages.map((m) => `${m.value?.toString()}@${m.partition}`));
        },
      });
      consumers.push(consumer);
      await consumer.start();
    }
    const members = async () =>
      withAdmin(isolation, async (admin) => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]?.members.map((member) => member.clientId).sort() ?? [];
      });
    const bothMembers = [`early-${isolation.suffix}`, lateClientId].sort();
    await eventually(async () => expect(await members()).toEqual(bothMembers), 30_000);
    await produce([0, 1], 'before');
    const all = () => [...handledBy['early']!, ...handledBy['late']!].sort();
    await eventually(() => expect(all()).toEqual(['before@0', 'before@1']), 30_000);

    hideAddedUntil = Date.now() + 6_000;
    await withAdmin(isolation, (admin) =>
      admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] }),
    );
    await produce([0, 1, 2, 3], 'added');
    await eventually(
      () =>
        expect(all()).toEqual(['added@0', 'added@1', 'added@2', 'added@3', 'before@0', 'before@1']),
      40_000,
      250,
    );

    // Both are still members, and the late one still consumes what the group gives it.
    await sleep(Math.max(0, hideAddedUntil - Date.now()) + 3_000);
    expect(await members()).toEqual(bothMembers);
    const lateBefore = handledBy['late']!.length;
    await produce([0, 1, 2, 3], 'after');
    await eventually(() => {
      expect(all().filter((id) => id.startsWith('after'))).toEqual([
        'after@0',
        'after@1',
        'after@2',
        'after@3',
      ]);
      expect(handledBy['late']!.length).toBe(lateBefore + 2);
    }, 30_000);
  }, 120_000);
});
