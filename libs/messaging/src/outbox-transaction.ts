import type { EntityManager } from 'typeorm';
import type { OutboxMessage } from './outbox';

/**
 * A database transaction whose facts leave through the outbox: what is published here is
 * written to the outbox in this transaction and relayed to Kafka after it commits, never
 * before and never without it (no dual write).
 */
export interface OutboxTransaction {
  readonly manager: EntityManager;
  /** Publishes a JSON payload to a contract topic (the test suffix, if any, is added), keyed by account id. */
  publish(topic: string, key: string | null, payload: unknown): void;
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

  publish(topic: string, key: string | null, payload: unknown): void {
    this.messages.push({ topic: this.resolveTopic(topic), key, value: JSON.stringify(payload) });
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }

  /** A message built elsewhere with its topic already resolved (a dead letter). */
  add(message: OutboxMessage): void {
    this.messages.push(message);
  }
}
