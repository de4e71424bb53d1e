import type { EntityManager } from 'typeorm';
import type { OutboxDedupe, OutboxMessage } from './outbox';

export interface PublishOptions {
  /**
   * Makes the published row the consumer's record of having applied the message with this id
   * (ADR 0041): an `appliedIds` that asks `dedupeKeysInOutbox` then needs no inbox row.
   */
  readonly dedupe?: OutboxDedupe;
}

/**
 * A database transaction whose facts leave through the outbox: what is published here is
 * written to the outbox in this transaction and relayed to Kafka after it commits, never
 * before and never without it (no dual write).
 */
export interface OutboxTransaction {
  readonly manager: EntityManager;
  /** Publishes a JSON payload to a contract topic (the test suffix, if any, is added), keyed by account id. */
  publish(topic: string, key: string | null, payload: unknown, options?: PublishOptions): void;
  /** Runs once the transaction has committed (metrics, wake-ups): never for one rolled back. */
  afterCommit(callback: () => void): void;
}

/** The messages an OutboxTransaction collected, in the order they were published. */
export class CollectedOutbox implements OutboxTransaction {
  readonly messages: OutboxMessage[] = [];
  readonly committed: Array<() => void> = [];

  constructor(
    readonly manager: EntityManager,
    private readonly resolveTopic: (topic: string) => string,
  ) {}

  publish(topic: string, key: string | null, payload: unknown, options?: PublishOptions): void {
    const resolved = this.resolveTopic(topic);
    const value = JSON.stringify(payload);
    // Built whole: a spread followed by another key costs microseconds per message in Node 20.
    this.messages.push(
      options?.dedupe
        ? { topic: resolved, key, value, dedupe: options.dedupe }
        : { topic: resolved, key, value },
    );
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }

  /** A message built elsewhere with its topic already resolved (a dead letter). */
  add(message: OutboxMessage): void {
    this.messages.push(message);
  }
}
