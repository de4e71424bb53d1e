export { counter, gauge, histogram, metricsRegistry } from './metrics';
export { ObservabilityModule } from './observability.module';
export { KAFKA_PING } from './observability.controller';
export type { KafkaPing } from './observability.controller';
export {
  configFromEnv,
  createServiceApp,
  portFromEnv,
  runService,
  startService,
} from './bootstrap';
export type { BeforeListen } from './bootstrap';
export { serviceNodeArgs } from './service-command';
export { PriceCatalogSource, catalogFileFromEnv } from './price-catalog.source';
export { ServiceException } from './service.exception';
export { ServiceExceptionFilter } from './service-exception.filter';
export type { HttpStatusOf, HttpStatusRule } from './service-exception.filter';
export { newApiKeySecret, sha256Hex } from './api-key-secret';
export type { NewApiKeySecret } from './api-key-secret';
export { DEFAULT_JSON_MAX_DEPTH, JsonTextError, nestingBeyond, parseJsonText } from './json-text';
export type { JsonTextProblem } from './json-text';
export { RecentlyUsed } from './recently-used';
export { RepeatingRound } from './repeating-round';
export { Supervisor } from './supervisor';
export type { SupervisedProcess, SupervisorOptions } from './supervisor';
export {
  EdgeFastifyAdapter,
  EdgeRoute,
  Principal,
  isBearerToken,
  principalOf,
  useBearerAuthentication,
} from './http-edge';
export {
  MAX_RETENTION_DAYS,
  retentionDays,
  switchFromEnv,
  urlFromEnv,
  wholeNumber,
} from './env-values';
export type { WholeNumberRange } from './env-values';
export type { BearerAuthentication, EdgeRouteOptions } from './http-edge';
export {
  DEFAULT_HTTP_EDGE_CONFIG,
  MAX_TIMER_MS,
  httpEdgeConfigFromEnv,
  positiveInteger,
  timerMs,
} from './http-edge.config';
export type { HttpEdgeConfig } from './http-edge.config';
export {
  HttpEdgeError,
  HttpEdgeExceptionFilter,
  describeHttpError,
  errorCodeOf,
  sendHttpError,
} from './http-errors';
export type { ErrorBody } from './http-errors';
export {
  DATABASE_UNAVAILABLE,
  DATABASE_UNAVAILABLE_MESSAGE,
  databaseUnavailable,
} from './database-unavailable';
