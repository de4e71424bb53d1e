/** Why an attempt failed, in words safe for logs and history (no URL, no credentials). */
export class AttemptFailed extends Error {}

/**
 * When an attempt must be over: `signal` aborts `ms` after its claim began. Every sender stops
 * on it (sockets closed, the answer no longer read), so an attempt ends inside its lease.
 */
export interface AttemptDeadline {
  readonly signal: AbortSignal;
  readonly ms: number;
}
