export { counter, gauge, histogram, metricsRegistry } from './metrics';
export { ObservabilityModule } from './observability.module';
export { KAFKA_PING } from './observability.controller';
export type { KafkaPing } from './observability.controller';
export { createServiceApp, portFromEnv, runService, startService } from './bootstrap';
export type { BeforeListen } from './bootstrap';
export { serviceNodeArgs } from './service-command';
export { PriceCatalogSource } from './price-catalog.source';
