/** How a failed delivery is retried (DESIGN 4, Alerting; ADR 0032). */
export interface RetryPolicy {
  /** The first retry comes within this delay; each later one doubles it. */
  readonly baseMs: number;
  /** No wait is longer than this. */
  readonly maxDelayMs: number;
  /** Attempts in all, the first included; after the last failure the delivery is dead. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 1_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 10,
};

/**
 * The wait before the next attempt after `attemptsMade` failed ones, or null when the
 * delivery has used its attempts. Exponential with "equal jitter": between half and all of
 * base × 2^(attempts − 1), so retries of many deliveries that failed together spread out
 * while each still waits at least half its step.
 */
export function nextRetryDelayMs(
  attemptsMade: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (attemptsMade >= policy.maxAttempts) return null;
  const step = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
