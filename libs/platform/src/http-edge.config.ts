import type { FastifyHelmetOptions } from '@fastify/helmet';
import { wholeNumber } from './env-values';
import { DEFAULT_JSON_MAX_DEPTH } from './json-text';

/** What every service's HTTP edge enforces; routes may narrow or widen it (`@EdgeRoute`). */
export interface HttpEdgeConfig {
  /** Largest request body, in bytes (413 beyond). */
  readonly bodyLimitBytes: number;
  /** Deepest JSON nesting of a body (422 beyond). */
  readonly jsonMaxDepth: number;
  /** Requests per principal (or per client IP on routes without a bearer token) per window. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  /** @fastify/helmet's options, in place of the edge's JSON-API set (a dashboard needs its own CSP). */
  readonly helmet?: FastifyHelmetOptions;
}

export const DEFAULT_HTTP_EDGE_CONFIG: HttpEdgeConfig = {
  bodyLimitBytes: 64 * 1024,
  jsonMaxDepth: DEFAULT_JSON_MAX_DEPTH,
  // A burst of 1,000 per key, 100/s on average: Stripe's default API limit, and above what
  // one gateway key asks of the ledger in the benchmark (20 authorizations/s per account).
  rateLimitMax: 1000,
  rateLimitWindowMs: 10_000,
};

/** HTTP_BODY_LIMIT_BYTES, HTTP_JSON_MAX_DEPTH, HTTP_RATE_LIMIT_MAX, HTTP_RATE_LIMIT_WINDOW_MS. */
export function httpEdgeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HttpEdgeConfig {
  return {
    bodyLimitBytes: positiveInteger(
      env,
      'HTTP_BODY_LIMIT_BYTES',
      DEFAULT_HTTP_EDGE_CONFIG.bodyLimitBytes,
    ),
    jsonMaxDepth: positiveInteger(
      env,
      'HTTP_JSON_MAX_DEPTH',
      DEFAULT_HTTP_EDGE_CONFIG.jsonMaxDepth,
    ),
    rateLimitMax: positiveInteger(
      env,
      'HTTP_RATE_LIMIT_MAX',
      DEFAULT_HTTP_EDGE_CONFIG.rateLimitMax,
    ),
    rateLimitWindowMs: timerMs(
      env,
      'HTTP_RATE_LIMIT_WINDOW_MS',
      DEFAULT_HTTP_EDGE_CONFIG.rateLimitWindowMs,
    ),
  };
}

/** An environment variable holding a positive integer, or the fallback when it is unset or empty. */
export function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return wholeNumber(env, name, fallback, { min: 1 });
}

/** The longest delay Node's timers take: beyond it a timer fires after 1 ms, again and again. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An environment variable holding a duration in ms a timer waits, from `min` to MAX_TIMER_MS,
 * or the fallback when it is unset or empty.
 */
export function timerMs(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > MAX_TIMER_MS) {
    throw new Error(
      `${name} must be an integer from ${min} to ${MAX_TIMER_MS} (ms), got "${text}"`,
    );
  }
  return value;
}
