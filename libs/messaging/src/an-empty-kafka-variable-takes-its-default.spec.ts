import { kafkaConfigFromEnv } from './kafka.config';

// README (Configuration) and ADR 0146: an empty variable is an unset one. Compose files pass
// `VAR: ${VAR:-}`, which sets it empty when the operator set nothing.
describe('an empty Kafka variable takes its default', () => {
  it('reads KAFKA_BATCH_WAIT_MS, KAFKA_METADATA_MAX_AGE_MS and OUTBOX_RETENTION_DAYS empty as unset', () => {
    const config = kafkaConfigFromEnv('x', {
      KAFKA_BATCH_WAIT_MS: '',
      KAFKA_METADATA_MAX_AGE_MS: '',
      OUTBOX_RETENTION_DAYS: '',
    });
    expect(config.batchWaitMs).toBe(500);
    expect(config.metadataMaxAgeMs).toBe(30_000);
    expect(config.outboxRetentionDays).toBeUndefined();
    expect(config).toEqual(kafkaConfigFromEnv('x', {}));
  });
});
