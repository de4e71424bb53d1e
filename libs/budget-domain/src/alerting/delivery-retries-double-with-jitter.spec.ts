import { DEFAULT_RETRY_POLICY, nextRetryDelayMs } from './delivery-retry';

describe('delivery retries double with jitter', () => {
  const policy = { baseMs: 1000, maxDelayMs: 10_000, maxAttempts: 6 };

  it('the first retry comes within the base delay, each later one within twice the one before', () => {
    expect([1, 2, 3, 4, 5].map((attempts) => nextRetryDelayMs(attempts, policy, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 10_000,
    ]);
    expect([1, 2, 3].map((attempts) => nextRetryDelayMs(attempts, policy, () => 0))).toEqual([
      500, 1000, 2000,
    ]);
  });

  it('gives up after the last attempt', () => {
    expect(nextRetryDelayMs(6, policy)).toBe(null);
    expect(nextRetryDelayMs(7, policy)).toBe(null);
  });

  it('by default: at least 5 attempts and the first retry within 2 s', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThanOrEqual(5);
    const first = nextRetryDelayMs(1, DEFAULT_RETRY_POLICY);
    expect(first).toBeGreaterThanOrEqual(500);
    expect(first).toBeLessThanOrEqual(2000);
  });
});
