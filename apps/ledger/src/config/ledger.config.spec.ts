import { ledgerConfigFromEnv } from './ledger.config';

describe('ledger configuration', () => {
  it('keeps ended holds 7 days unless LEDGER_HOLD_RETENTION_DAYS says otherwise (ADR 0136)', () => {
    expect(ledgerConfigFromEnv({}).holdRetentionDays).toBe(7);
    expect(ledgerConfigFromEnv({ LEDGER_HOLD_RETENTION_DAYS: '30' }).holdRetentionDays).toBe(30);
    // A century at most, as for OUTBOX_RETENTION_DAYS: 10^14 days before now is no date at all.
    for (const bad of ['0', '-1', '1.5', 'week', '36501', '99999999999999'])
      expect(() => ledgerConfigFromEnv({ LEDGER_HOLD_RETENTION_DAYS: bad })).toThrow(
        `LEDGER_HOLD_RETENTION_DAYS must be a positive integer up to 36500 (days), got "${bad}"`,
      );
  });
});
