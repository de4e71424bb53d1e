import { Topics } from '@tally/budget-domain';

/** Topics metering reads or writes; created at start if missing. */
export const RATING_TOPICS_ALL = [Topics.UsageEvents, Topics.UsageRated, Topics.UsageDeadLetter];
