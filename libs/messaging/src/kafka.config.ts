import { readFileSync } from 'node:fs';
import type { ISocketFactory, KafkaConfig as KafkaClientConfig, SASLOptions } from 'kafkajs';
import {
  MAX_RETENTION_DAYS as MAX_DAYS,
  retentionDays,
  switchFromEnv,
  timerMs,
  wholeNumber,
} from '@tally/platform';
import { kafkaLogCreator } from './kafka-log';

/** How often a service reads its consumer groups' lag from the broker, unless configured. */
export const LAG_SAMPLE_INTERVAL_MS = 30_000;

export type KafkaSaslMechanism = 'scram-sha-512' | 'scram-sha-256' | 'plain';

/** SASL credentials of the service's principal (the broker's ACLs name it). */
export interface KafkaSasl {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: string;
}

const SASL_MECHANISMS: readonly KafkaSaslMechanism[] = ['scram-sha-512', 'scram-sha-256', 'plain'];

/** How a service reaches Kafka. Topic names are the contract; only tests add a suffix. */
export interface KafkaConfig {
  readonly brokers: string[];
  readonly clientId: string;
  /** Appended to every topic name ("usage.events" -> "usage.events.t1a2b"), for test isolation. */
  readonly topicSuffix: string;
  readonly partitions: number;
  /** Consumer group session timeout: how soon a crashed instance's partitions move. */
  readonly sessionTimeoutMs: number;
  /** How often consumers read their topics' metadata, so how soon added partitions are consumed. */
  readonly metadataMaxAgeMs?: number;
  /** How often a service reads its consumer groups' lag from the broker (ConsumerGroupLag). */
  readonly lagSampleIntervalMs?: number;
  /**
   * Never in production: consumers skip the inbox, so redelivered messages count again.
   * Exists only so the chaos run can show that it catches double counting.
   */
  readonly unsafeSkipInbox?: boolean;
  /** Authenticate as this principal (a broker in secure mode, infra/kafka). Plaintext without. */
  readonly sasl?: KafkaSasl;
  /** TLS to the broker: true for the system's CAs, or the PEM of the CA to trust. */
  readonly ssl?: true | { readonly ca: string };
  /**
   * How connections to the broker are opened; kafkajs's own unless set. Never set from the
   * environment: tests route a service's connections through a proxy they take down.
   */
  readonly socketFactory?: ISocketFactory;
  /** Days the outbox keeps a day's partition, unless the service sets its own (MessagingOptions). */
  readonly outboxRetentionDays?: number;
  /**
   * Days an inbox that only covers redeliveries keeps its ids: a consumer that applies the
   * latest state by sequence (`appliesLatestBySequence`) or keeps its own (`appliedIds`), ADR
   * 0135. Default 7.
   */
  readonly inboxRetentionDays?: number;
  /** How long a fetch of a consumer that fills batches may wait for them (0 or unset: it does not). */
  readonly batchWaitMs?: number;
  /** Replicas of each topic a service creates (ADR 0196); unset: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  /** `min.insync.replicas` of each topic a service creates (ADR 0196); unset: the broker's. */
  readonly minInsyncReplicas?: number;
}

export function kafkaConfigFromEnv(
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
): KafkaConfig {
  const brokers = (env['KAFKA_BROKERS'] || '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0) {
    throw new Error(
      `KAFKA_BROKERS must name at least one host:port, got "${env['KAFKA_BROKERS']}"`,
    );
  }
  // kafkajs retries a broker it can never connect to (no port, a port past 65535) for ever.
  for (const broker of brokers) {
    const port = /^(?:\[[^\]\s]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(broker)?.[1];
    if (port === undefined || Number(port) < 1 || Number(port) > 65_535) {
      throw new Error(
        `KAFKA_BROKERS must be host:port pairs separated by commas, got "${env['KAFKA_BROKERS']}"`,
      );
    }
  }
  // Kafka's partition count is a 32-bit integer on the wire.
  const partitions = wholeNumber(env, 'KAFKA_PARTITIONS', 12, { min: 1, max: 2_147_483_647 });
  const sessionTimeoutMs = timerMs(env, 'KAFKA_SESSION_TIMEOUT_MS', 30_000, 6_000);
  const metadataMaxAge = env['KAFKA_METADATA_MAX_AGE_MS'] || '30000';
  if (!/^\d{4,6}$/.test(metadataMaxAge) || Number(metadataMaxAge) > 300_000) {
    throw new Error(
      `KAFKA_METADATA_MAX_AGE_MS must be an integer from 1000 to 300000, got "${metadataMaxAge}"`,
    );
  }
  const outboxRetentionText = env['OUTBOX_RETENTION_DAYS'] || undefined;
  const outboxRetentionDays =
    outboxRetentionText === undefined ? undefined : Number(outboxRetentionText);
  // Digits only: Number() alone reads "0x10" as 16 days and "1e1" as 10.
  if (
    outboxRetentionDays !== undefined &&
    !(/^\d+$/.test(outboxRetentionText ?? '') && outboxRetentionDays >= 1)
  ) {
    throw new Error(
      `OUTBOX_RETENTION_DAYS must be an integer >= 1, got "${env['OUTBOX_RETENTION_DAYS']}"`,
    );
  }
  if (outboxRetentionDays !== undefined && outboxRetentionDays > MAX_DAYS) {
    throw new Error(
      `OUTBOX_RETENTION_DAYS must be at most ${MAX_DAYS} days (a century), got "${env['OUTBOX_RETENTION_DAYS']}"`,
    );
  }
  const topicSuffix = env['KAFKA_TOPIC_SUFFIX'] ?? '';
  // Appended to topic names, which Kafka limits to 249 of these characters.
  if (!/^[A-Za-z0-9._-]{0,200}$/.test(topicSuffix)) {
    throw new Error(
      `KAFKA_TOPIC_SUFFIX must be at most 200 letters, digits, '.', '_' or '-' (it ends topic names), got "${topicSuffix}"`,
    );
  }
  const batchWait = env['KAFKA_BATCH_WAIT_MS'] || '500';
  if (!/^\d{1,5}$/.test(batchWait) || Number(batchWait) > 10_000) {
    throw new Error(`KAFKA_BATCH_WAIT_MS must be an integer from 0 to 10000, got "${batchWait}"`);
  }
  const batchWaitMs = Number(batchWait);
  return {
    ...topicDurabilityFromEnv(env),
    brokers,
    clientId,
    topicSuffix,
    partitions,
    sessionTimeoutMs,
    metadataMaxAgeMs: Number(metadataMaxAge),
    lagSampleIntervalMs: timerMs(
      env,
      'KAFKA_LAG_SAMPLE_INTERVAL_MS',
      LAG_SAMPLE_INTERVAL_MS,
      1_000,
    ),
    ...(env['TALLY_UNSAFE_SKIP_INBOX'] === '1' ? { unsafeSkipInbox: true } : {}),
    ...kafkaSecurityFromEnv(env),
    ...(outboxRetentionDays !== undefined ? { outboxRetentionDays } : {}),
    inboxRetentionDays: retentionDays(env, 'INBOX_RETENTION_DAYS', 7),
    batchWaitMs,
  };
}

/**
 * KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS, for the topics a service creates
 * (ADR 0196). Kafka's replication factor is a 16-bit integer on the wire.
 */
export function topicDurabilityFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<KafkaConfig, 'replicationFactor' | 'minInsyncReplicas'> {
  const unset = -1;
  const replicationFactor = wholeNumber(env, 'KAFKA_REPLICATION_FACTOR', unset, {
    min: 1,
    max: 32_767,
  });
  const minInsyncReplicas = wholeNumber(env, 'KAFKA_MIN_INSYNC_REPLICAS', unset, {
    min: 1,
    max: 32_767,
  });
  if (replicationFactor !== unset && minInsyncReplicas > replicationFactor) {
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS (${minInsyncReplicas}) must not exceed KAFKA_REPLICATION_FACTOR (${replicationFactor}): every acks=all write would be refused`,
    );
  }
  return {
    ...(replicationFactor !== unset ? { replicationFactor } : {}),
    ...(minInsyncReplicas !== unset ? { minInsyncReplicas } : {}),
  };
}

/**
 * KAFKA_SASL_MECHANISM (scram-sha-512, the default when a username is set; scram-sha-256;
 * plain), KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD; KAFKA_SSL=1 for TLS, KAFKA_SSL_CA_FILE
 * for a CA of your own. Nothing set: plaintext, the local default.
 */
export function kafkaSecurityFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const mechanism = env['KAFKA_SASL_MECHANISM']?.toLowerCase();
  const username = env['KAFKA_SASL_USERNAME'];
  const password = env['KAFKA_SASL_PASSWORD'];
  const security: { sasl?: KafkaSasl; ssl?: true | { ca: string } } = {};
  if (mechanism || username || password) {
    if (!username || !password) {
      throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must both be set for SASL');
    }
    const chosen = (mechanism ?? 'scram-sha-512') as KafkaSaslMechanism;
    if (!SASL_MECHANISMS.includes(chosen)) {
      throw new Error(
        `KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`,
      );
    }
    security.sasl = { mechanism: chosen, username, password };
  }
  const caFile = env['KAFKA_SSL_CA_FILE'];
  // Read even with a CA file: a word that means nothing (`KAFKA_SSL=tls`) is refused, not plaintext.
  const ssl = switchFromEnv(env, 'KAFKA_SSL', false);
  if (caFile) security.ssl = { ca: readFileSync(caFile, 'utf8') };
  else if (ssl) security.ssl = true;
  return security;
}

/** The kafkajs client settings of a config: brokers and, when configured, SASL and TLS. */
export function kafkaClientConfig(
  config: Pick<KafkaConfig, 'brokers' | 'sasl' | 'ssl' | 'socketFactory'>,
  clientId: string,
): KafkaClientConfig {
  const { sasl, ssl, socketFactory } = config;
  return {
    clientId,
    brokers: [...config.brokers],
    logCreator: kafkaLogCreator(),
    ...(socketFactory ? { socketFactory } : {}),
    ...(sasl ? { sasl: saslOptions(sasl) } : {}),
    ...(ssl === true ? { ssl: true } : ssl ? { ssl: { ca: [ssl.ca] } } : {}),
  };
}

function saslOptions({ mechanism, username, password }: KafkaSasl): SASLOptions {
  switch (mechanism) {
    case 'scram-sha-512':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'plain':
      return { mechanism, username, password };
  }
}

export function topicName(config: Pick<KafkaConfig, 'topicSuffix'>, topic: string): string {
  return config.topicSuffix ? `${topic}.${config.topicSuffix}` : topic;
}
