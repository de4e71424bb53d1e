import { MESSAGING_MIGRATIONS } from '@tally/messaging';

/** Every migration of metering's schema, in order (its inbox and outbox). */
export const METERING_MIGRATIONS = [...MESSAGING_MIGRATIONS];
