import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { counter, gauge, histogram } from '@tally/platform';
import type { WatchedGroup } from './consumer-group-lag';

/** One Kafka record as a handler sees it: raw bytes, decoded by the handler at the edge. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
}

/** What the broker said of a slice's partition when its batch was fetched. */
export interface PartitionLog {
  /** The offset after the partition's last record. */
  readonly highWatermark: bigint;
}

/**
 * Handles a slice of one partition's batch. It must be all-or-nothing (one database
 * transaction): when it resolves, the offsets are committed; when it throws, the slice is
 * delivered again. Bad records must not throw: they are dead-lettered inside the slice. It
 * throws PartitionHalted when the partition must not be consumed any further.
 */
export type BatchHandler = (messages: ConsumedMessage[], log: PartitionLog) => Promise<void>;

/**
 * Thrown by a handler for a partition that must wait for an operator (ADR 0106): the consumer
 * pauses it, commits nothing of the slice, and goes on with its other partitions.
 */
export class PartitionHalted extends Error {
  override readonly name = 'PartitionHalted';
}

export interface BatchConsumerOptions {
  readonly groupId: string;
  readonly topics: string[];
  readonly handler: BatchHandler;
  /** Largest slice handed to the handler (one DB transaction). */
  readonly maxSliceSize?: number;
  /** Partitions processed in parallel by one instance, each in its own transaction. */
  readonly partitionsConsumedConcurrently?: number;
  /** How long a silent (crashed) member keeps its partitions before the group moves them. */
  readonly sessionTimeoutMs?: number;
  /** How often the consumer reads its topics' metadata. Default: METADATA_MAX_AGE_MS. */
  readonly metadataMaxAgeMs?: number;
  /**
   * How long the broker may hold a fetch for how many bytes of records. Default: answered as
   * soon as one record is there, or after IDLE_FETCH_WAIT_MS.
   */
  readonly fetchWait?: FetchWait;
  /** How long a consumer kafkajs stopped for good waits before it starts again. Default: 5 s. */
  readonly restartDelayMs?: number;
}

/** The broker answers a fetch once `minBytes` of records are there, or after `maxWaitMs`. */
export interface FetchWait {
  readonly minBytes: number;
  readonly maxWaitMs: number;
}

/**
 * How long the broker holds a fetch that finds no record. A record arriving answers it at once,
 * so this sets only how often an idle consumer asks again, and how long a stop or a rebalance
 * may wait for the fetch in flight (ADR 0052).
 */
export const IDLE_FETCH_WAIT_MS = 500;

/** The most a fetch brings of one partition. */
export const PARTITION_FETCH_BYTES = 1024 * 1024;

/**
 * How often a consumer reads its topics' metadata, and so how soon the group takes up
 * partitions added to them (docs/operations.md): at kafkajs' default of 5 minutes, records
 * written to a new partition waited that long.
 */
export const METADATA_MAX_AGE_MS = 30_000;

const consumed = counter('tally_messages_consumed_total', 'Kafka records handled', ['topic']);
const sliceSize = histogram(
  'tally_batch_size',
  'Records per handled slice',
  ['topic'],
  [1, 10, 100, 500, 1000, 5000],
);
const sliceSeconds = histogram(
  'tally_batch_duration_seconds',
  'Time to handle one slice',
  ['topic'],
  [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
);
const lag = gauge('tally_consumer_lag', 'Records behind the partition head after the last batch', [
  'topic',
  'partition',
]);
const restarts = counter(
  'tally_consumer_restarts_total',
  'Consumers started again after kafkajs stopped them on an error it does not retry',
  ['group'],
);
const halted = gauge(
  'tally_consumer_halted_partitions',
  'Partitions this instance stopped consuming until an operator acts (1 each; ADR 0106)',
  ['topic', 'partition'],
);

/**
 * A kafkajs consumer that hands whole batches to the handler, resolving and committing
 * offsets only after the handler's transaction committed.
 */
export class BatchConsumer {
  private readonly logger = new Logger(BatchConsumer.name);
  private consumer: Consumer | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** The labels of the partitions this consumer halted, so that stopping clears their gauges. */
  private readonly haltedPartitions = new Map<string, { topic: string; partition: string }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {}

  /** The group this consumer joins and the topics it reads, for the broker-side lag. */
  get group(): WatchedGroup {
    return { groupId: this.options.groupId, topics: this.options.topics };
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
      // Smaller fetches than kafkajs' 10 MB default keep peak RSS under the 300 MB target.
      maxBytesPerPartition: PARTITION_FETCH_BYTES,
      maxBytes: 4 * 1024 * 1024,
      minBytes: this.options.fetchWait?.minBytes ?? 1,
      maxWaitTimeInMs: this.options.fetchWait?.maxWaitMs ?? IDLE_FETCH_WAIT_MS,
      metadataMaxAge: this.options.metadataMaxAgeMs ?? METADATA_MAX_AGE_MS,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && this.consumer === consumer) this.startAgain(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      // kafkajs would otherwise resolve the whole batch when the handler returns, and a
      // consumer stopping (SIGTERM) or seeking between slices would commit slices it never
      // handled: only the slices below resolve offsets.
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    for (const labels of this.haltedPartitions.values()) halted.set(labels, 0);
    this.haltedPartitions.clear();
  }

  /**
   * kafkajs gives up for good on an error it takes for a bug (a TypeError, from its code or a
   * handler's): the consumer has left its group, and the service would run on without it. It
   * starts again from the committed offsets; an error that comes back each time leaves its
   * partitions behind, which tally_consumer_group_stalled_seconds shows.
   */
  private startAgain(error: unknown): void {
    const delayMs = this.options.restartDelayMs ?? 5_000;
    this.logger.error(
      `the consumer of group ${this.options.groupId} stopped on ${String(error)}; it starts again in ${delayMs} ms`,
    );
    this.restartTimer = setTimeout(() => {
      if (this.consumer === undefined) return;
      restarts.inc({ group: this.options.groupId });
      // A start that fails (the broker unreachable) is tried again as long as nobody stops it.
      this.start().catch(async (failure: unknown) => {
        await this.consumer?.disconnect().catch(() => undefined);
        if (this.consumer !== undefined) this.startAgain(failure);
      });
    }, delayMs);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const maxSlice = this.options.maxSliceSize ?? 2000;
    for (let start = 0; start < batch.messages.length; start += maxSlice) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = batch.messages.slice(start, start + maxSlice);
      const stopTimer = sliceSeconds.startTimer({ topic: batch.topic });
      try {
        await this.options.handler(
          slice.map((message) => toConsumed(batch.topic, batch.partition, message)),
          { highWatermark: BigInt(batch.highWatermark) },
        );
      } catch (error) {
        if (!(error instanceof PartitionHalted)) throw error;
        this.halt(payload, error);
        return;
      }
      stopTimer();
      sliceSize.observe({ topic: batch.topic }, slice.length);
      consumed.inc({ topic: batch.topic }, slice.length);
      // kafkajs commits resolved offsets after the batch; a crash before that replays
      // slices whose transactions already committed, and the inbox makes them no-ops.
      payload.resolveOffset(slice[slice.length - 1]!.offset);
      await payload.heartbeat();
    }
    lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  /** Pauses a partition a handler halted: nothing more of it is fetched until a restart. */
  private halt(payload: EachBatchPayload, reason: PartitionHalted): void {
    const labels = { topic: payload.batch.topic, partition: String(payload.batch.partition) };
    payload.pause();
    this.haltedPartitions.set(`${labels.topic}|${labels.partition}`, labels);
    halted.set(labels, 1);
    this.logger.error(
      `${labels.topic} partition ${labels.partition} is not consumed: ${reason.message}`,
    );
  }
}

function toConsumed(topic: string, partition: number, message: KafkaMessage): ConsumedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    timestamp: message.timestamp,
  };
}
