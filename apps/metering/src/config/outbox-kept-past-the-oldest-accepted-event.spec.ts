import { meteringConfigFromEnv, outboxRetentionDays } from './metering.config';

describe("metering's outbox outlives the oldest event it accepts", () => {
  it('keeps the maximum event age plus two days by default (35 + 2)', () => {
    expect(outboxRetentionDays(meteringConfigFromEnv({}).rating)).toBe(37);
  });

  it('rounds a fractional maximum age up to whole days', () => {
    const rating = meteringConfigFromEnv({ METERING_MAX_EVENT_AGE_DAYS: '0.5' }).rating;
    expect(outboxRetentionDays(rating)).toBe(3);
  });
});
