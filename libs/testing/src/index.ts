export { startTestInfrastructure } from './infrastructure';
export type { TestInfrastructure } from './infrastructure';
export { isolate, dropSchemas, queryDatabase } from './isolation';
export type { Isolation } from './isolation';
export { eventually } from './eventually';
export { scrapeMetrics } from './metrics';
export { KafkaTestClient, TopicRecorder } from './kafka-test.client';
export type { RecordedMessage } from './kafka-test.client';
export { usageEvent, usageRated } from './usage-event.builder';
export { usageTransaction } from './ledger-transaction.builder';
export { ServiceProcess, freePort } from './service.process';
export { ServiceHarness } from './service.harness';
export { InProcessApp } from './in-process.app';
export { CommandClient } from './command.client';
export type { UsageEventFixture } from './usage-event.builder';
export { createApiKey } from './api-keys';
export { FakeStripeServer, parseForm } from './fake-stripe.server';
export type { FakePaymentOutcome, FakeStripeRequest } from './fake-stripe.server';
export { balanceChanged } from './balance-changed.builder';
export {
  inRolledBackTransaction,
  migratedSchema,
  recordingManager,
  rowsExamined,
} from './rows-examined';
export type { RecordedStatement } from './rows-examined';
export { missingCommandAcls, missingConsumerAcls } from './broker-acls';
export {
  HOSTILE_VALUES,
  MALFORMED_RECORDS,
  hostileVariants,
  incompressibleText,
} from './hostile-records';
export { produceBadRecords } from './bad-records-run';
export type { ConsumedTopic, ConsumerCount } from './bad-records-run';
export { consumedTopics } from './consumed-topics';
export { WebhookReceiver } from './webhook-receiver';
export type { Behavior, ReceivedRequest } from './webhook-receiver';
export { awayFromUtcMidnight } from './utc-midnight';
export { holdRowLock } from './row-lock';
export type { HeldRowLock } from './row-lock';
export { TcpProxy } from './tcp-proxy';
export { priceCatalogFile, wireAmount } from './price-catalog';
export type { CatalogEntry } from './price-catalog';
