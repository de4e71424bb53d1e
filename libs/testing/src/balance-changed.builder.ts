/**
 * A ledger.balance-changed payload (DESIGN 3.3) of an account living on prepaid credit: with
 * `availablePercent` of `base` left, for feeding top-up and alerting directly.
 */
export function balanceChanged(
  accountId: string,
  sequence: number,
  availablePercent: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const left = ((10 * availablePercent) / 100).toFixed(6);
  return {
    schema_version: 1,
    account_id: accountId,
    api_key_id: null,
    sequence,
    period: { start: null, end: null },
    allowance: '0.000000',
    used: '0.000000',
    remaining: '0.000000',
    extra_credit_remaining: left,
    available: left,
    available_percent: availablePercent,
    alert_level: availablePercent >= 50 ? 'GREEN' : availablePercent > 0 ? 'RED' : 'CRITICAL',
    over_soft_limit: false,
    over_hard_limit: false,
    overage: '0.000000',
    cause: { transaction_id: `tx_${sequence}`, kind: 'usage' },
    at: new Date().toISOString(),
    ...overrides,
  };
}
