import { Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@tally/persistence';
import type { Isolation } from '@tally/testing';
import { MESSAGING_MIGRATIONS, MessagingService } from '../src';
import type { Decoded, KafkaConfig, OutboxTransaction, TransactionalConsumer } from '../src';

/**
 * One instance of a service that consumes through MessagingService: its own connection pool
 * (its application name tells its sessions apart) and its own Kafka clients, on a schema that
 * other instances of the same service share.
 */
export interface ServiceInstance {
  readonly dataSource: DataSource;
  readonly messaging: MessagingService;
  stop(): Promise<void>;
}

export interface InstanceOptions {
  readonly service: string;
  readonly schema: string;
  /** Tells this instance's PostgreSQL sessions apart (pg_stat_activity.application_name). */
  readonly applicationName: string;
  readonly topics: readonly string[];
  readonly partitions?: number;
  readonly sessionTimeoutMs?: number;
  readonly metadataMaxAgeMs?: number;
  readonly poolSize?: number;
  /** Further Kafka settings of the spec's (a batch wait, the inbox retention). */
  readonly kafka?: Partial<KafkaConfig>;
}

export async function startInstance(
  isolation: Isolation,
  options: InstanceOptions,
): Promise<ServiceInstance> {
  const dataSource = createDataSource({
    config: { url: isolation.databaseUrl, schema: options.schema, poolSize: options.poolSize ?? 4 },
    applicationName: options.applicationName,
    migrations: MESSAGING_MIGRATIONS,
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  const messaging = new MessagingService(
    {
      kafka: {
        brokers: isolation.kafkaBrokers,
        clientId: options.applicationName,
        topicSuffix: isolation.suffix,
        partitions: options.partitions ?? 1,
        sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
        ...(options.metadataMaxAgeMs === undefined
          ? {}
          : { metadataMaxAgeMs: options.metadataMaxAgeMs }),
        ...options.kafka,
      },
      service: options.service,
      topics: options.topics,
      relay: { idleDelayMs: 100 },
    },
    dataSource,
  );
  await messaging.onModuleInit();
  return {
    dataSource,
    messaging,
    stop: async () => {
      await messaging.onModuleDestroy();
      await dataSource.destroy();
    },
  };
}

/** A kafkajs admin client for the test's own look at the broker (and changes to its topics). */
export async function connectedAdmin(isolation: Isolation): Promise<Admin> {
  const kafka = new Kafka({
    clientId: 'messaging-test-admin',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}

/** Runs `use` with a connected admin client, disconnected after it. */
export async function withAdmin<T>(
  isolation: Isolation,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = await connectedAdmin(isolation);
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The test records: `{ id, n }` as JSON; anything else is a dead letter. */
export interface Numbered {
  readonly id: string;
  readonly n: number;
}

export function decodeNumbered(value: Buffer | null): Decoded<Numbered> {
  try {
    const parsed = JSON.parse(value?.toString('utf8') ?? '') as Partial<Numbered>;
    return typeof parsed.id === 'string' && typeof parsed.n === 'number'
      ? { ok: true, value: { id: parsed.id, n: parsed.n } }
      : { ok: false, reason: 'schema_violation', error: 'id and n expected' };
  } catch (error) {
    return { ok: false, reason: 'invalid_json', error: String(error) };
  }
}

/** How a test consumer tells a repeat: by log position, by its inbox of ids, or by its effect's own rows. */
export type ExactlyOnceMode = 'by-position' | 'by-inbox' | 'by-effect';

/**
 * A consumer of Numbered records on `topic` that applies each once the `mode` way; by-effect
 * asks `appliedIds` which of a batch's ids its effect has stored already.
 */
export function numberedConsumer(
  topic: string,
  mode: ExactlyOnceMode,
  effect: (values: Numbered[], tx: OutboxTransaction) => Promise<void>,
  appliedIds?: (ids: string[], tx: OutboxTransaction) => Promise<Set<string>>,
): TransactionalConsumer<Numbered> {
  if (mode === 'by-position')
    return { topic, decode: decodeNumbered, exactlyOnceBy: 'position', effect };
  if (mode === 'by-inbox')
    return { topic, decode: decodeNumbered, idOf: (value) => value.id, effect };
  if (!appliedIds) throw new Error('a by-effect consumer needs appliedIds');
  return {
    topic,
    decode: decodeNumbered,
    idOf: (value) => value.id,
    appliedIds: (values, tx) =>
      appliedIds(
        values.map((value) => value.id),
        tx,
      ),
    effect,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
