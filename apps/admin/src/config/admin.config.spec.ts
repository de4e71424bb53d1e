import { adminConfigFromEnv } from './admin.config';

describe('admin configuration', () => {
  it('lists dead letters 90 days unless ADMIN_DEAD_LETTER_RETENTION_DAYS says otherwise (ADR 0137)', () => {
    expect(adminConfigFromEnv({}).deadLetterRetentionDays).toBe(90);
    expect(
      adminConfigFromEnv({ ADMIN_DEAD_LETTER_RETENTION_DAYS: '14' }).deadLetterRetentionDays,
    ).toBe(14);
    for (const bad of ['0', '-3', '2.5', 'quarter'])
      expect(() => adminConfigFromEnv({ ADMIN_DEAD_LETTER_RETENTION_DAYS: bad })).toThrow(
        `ADMIN_DEAD_LETTER_RETENTION_DAYS must be a positive integer, got "${bad}"`,
      );
  });
});
