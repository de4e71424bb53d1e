import { meteringConfigFromEnv } from './metering.config';

// README (Configuration) and ADR 0146: an empty variable is an unset one.
describe('an empty METERING_MAX_EVENT_AGE_DAYS takes its default', () => {
  it('dead-letters events older than 35 days, as when it is unset', () => {
    expect(meteringConfigFromEnv({ METERING_MAX_EVENT_AGE_DAYS: '' }).rating.maxEventAgeMs).toBe(
      35 * 24 * 60 * 60 * 1000,
    );
  });
});
