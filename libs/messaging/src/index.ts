export {
  kafkaClientConfig,
  kafkaConfigFromEnv,
  kafkaSecurityFromEnv,
  topicName,
} from './kafka.config';
export { kafkaLogCreator } from './kafka-log';
export type { KafkaConfig, KafkaSasl, KafkaSaslMechanism } from './kafka.config';
export { CommandServer, DEFAULT_COMMAND_LIMITS, connectCommandServer } from './command.server';
export type { CommandLimits } from './command.server';
export { ensureTopics } from './topic.bootstrap';
export { ConsumerGroupLag } from './consumer-group-lag';
export type { PartitionLag, WatchedGroup } from './consumer-group-lag';
export { BatchConsumer, IDLE_FETCH_WAIT_MS, PartitionHalted } from './batch.consumer';
export type {
  BatchConsumerOptions,
  BatchHandler,
  ConsumedMessage,
  FetchWait,
  PartitionLog,
} from './batch.consumer';
export { triage } from './triage';
export type { Accepted, Decoded, Rejected } from './triage';
export { dedupeKeysInOutbox } from './outbox';
export type { OutboxDedupe, OutboxMessage } from './outbox';
export type { OutboxTransaction, PublishOptions } from './outbox-transaction';
export type { TransactionalConsumer } from './transactional-consumer';
export { OutboxRelay } from './outbox.relay';
export type { OutboxRelayOptions } from './outbox.relay';
export { deadLetterMessage, positionId } from './dead-letter';
export { CreateMessagingTables1763856000000 } from './messaging-tables.migration';
export { CreateOutboxRounds1763856000001 } from './outbox-rounds.migration';
export { OutboxAsLog1763856000003 } from './outbox-log.migration';
export { MESSAGING_MIGRATIONS } from './messaging.migrations';
export { MessagingModule } from './messaging.module';
export type { MessagingModuleOptions } from './messaging.module';
export { MessagingService, MESSAGING_OPTIONS } from './messaging.service';
export type { MessagingOptions } from './messaging.service';
export { answerCommand } from './command-reply';
export { CommandClient, CommandTimeoutError } from './command.client';
export type { CommandClientOptions } from './command.client';
