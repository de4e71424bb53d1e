import { adminConfigFromEnv } from './admin.config';

describe('admin configuration', () => {
  it('lists dead letters 90 days unless ADMIN_DEAD_LETTER_RETENTION_DAYS says otherwise (ADR 0137)', () => {
    expect(adminConfigFromEnv({}).deadLetterRetentionDays).toBe(90);
    expect(
      adminConfigFromEnv({ ADMIN_DEAD_LETTER_RETENTION_DAYS: '14' }).deadLetterRetentionDays,
    ).toBe(14);
    // A century at most, as for OUTBOX_RETENTION_DAYS: 10^14 days before now is no date at all.
    for (const bad of ['0', '-3', '2.5', 'quarter', '36501', '99999999999999'])
      expect(() => adminConfigFromEnv({ ADMIN_DEAD_LETTER_RETENTION_DAYS: bad })).toThrow(
        `ADMIN_DEAD_LETTER_RETENTION_DAYS must be a positive integer up to 36500 (days), got "${bad}"`,
      );
  });
});
