export { buildUsageEvent } from './usage-event.factory';
export type { UsageCloudEvent, UsageInput, UsageServiceKind } from './usage-event.factory';
export { UsageProducer } from './usage.producer';
export type { UsageProducerOptions } from './usage.producer';
export { UnrecognisedResponseError, usageFromProviderResponse } from './provider-response';
export type { ResponseContext } from './provider-response';
