/** How a service reaches Kafka. Topic names are the contract; only tests add a suffix. */
export interface KafkaConfig {
  readonly brokers: string[];
  readonly clientId: string;
  /** Appended to every topic name ("usage.events" -> "usage.events.t1a2b"), for test isolation. */
  readonly topicSuffix: string;
  readonly partitions: number;
  /** Consumer group session timeout: how soon a crashed instance's partitions move. */
  readonly sessionTimeoutMs: number;
  /**
   * Never in production: consumers skip the inbox, so redelivered messages count again.
   * Exists only so the chaos run can show that it catches double counting.
   */
  readonly unsafeSkipInbox?: boolean;
  /** Days the outbox keeps a day's partition, unless the service sets its own (MessagingOptions). */
  readonly outboxRetentionDays?: number;
}

export function kafkaConfigFromEnv(
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
): KafkaConfig {
  const brokers = (env['KAFKA_BROKERS'] || '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  const partitions = Number(env['KAFKA_PARTITIONS'] ?? 12);
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(
      `KAFKA_PARTITIONS must be a positive integer, got "${env['KAFKA_PARTITIONS']}"`,
    );
  }
  const sessionTimeoutMs = Number(env['KAFKA_SESSION_TIMEOUT_MS'] ?? 30_000);
  if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs < 6_000) {
    throw new Error(
      `KAFKA_SESSION_TIMEOUT_MS must be an integer >= 6000, got "${env['KAFKA_SESSION_TIMEOUT_MS']}"`,
    );
  }
  const outboxRetentionDays =
    env['OUTBOX_RETENTION_DAYS'] === undefined ? undefined : Number(env['OUTBOX_RETENTION_DAYS']);
  if (
    outboxRetentionDays !== undefined &&
    !(Number.isInteger(outboxRetentionDays) && outboxRetentionDays >= 1)
  ) {
    throw new Error(
      `OUTBOX_RETENTION_DAYS must be an integer >= 1, got "${env['OUTBOX_RETENTION_DAYS']}"`,
    );
  }
  return {
    brokers,
    clientId,
    topicSuffix: env['KAFKA_TOPIC_SUFFIX'] ?? '',
    partitions,
    sessionTimeoutMs,
    ...(env['TALLY_UNSAFE_SKIP_INBOX'] === '1' ? { unsafeSkipInbox: true } : {}),
    ...(outboxRetentionDays !== undefined ? { outboxRetentionDays } : {}),
  };
}

export function topicName(config: Pick<KafkaConfig, 'topicSuffix'>, topic: string): string {
  return config.topicSuffix ? `${topic}.${config.topicSuffix}` : topic;
}
