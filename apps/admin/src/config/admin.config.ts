import path from 'node:path';
import type { DatabaseConfig } from '@tally/persistence';
import { databaseConfigFromEnv } from '@tally/persistence';
import type { KafkaConfig } from '@tally/messaging';
import { kafkaConfigFromEnv } from '@tally/messaging';
import { portFromEnv } from '@tally/platform';

/** What admin's HTTP edge enforces on every request. */
export interface AdminHttpConfig {
  /** Largest request body, in bytes (413 beyond). */
  readonly bodyLimitBytes: number;
  /** Requests per token (or per client address without one) per window (429 beyond). */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
}

/** Everything admin reads from the environment, validated once at boot. */
export interface AdminConfig {
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly kafka: KafkaConfig;
  /** ADMIN_BOOTSTRAP_TOKEN: an admin token for as long as it is set (it mints the others). */
  readonly bootstrapToken?: string;
  /** How long a command to the ledger, topup or alerting may take before the request fails. */
  readonly commandTimeoutMs: number;
  readonly http: AdminHttpConfig;
  /** The dashboard's built files, served at `/`. */
  readonly dashboardDir: string;
}

/** A bootstrap token guessable in a lifetime of tries is refused at start. */
const BOOTSTRAP_TOKEN_MIN_LENGTH = 16;

export function adminConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const bootstrapToken = env['ADMIN_BOOTSTRAP_TOKEN'] || undefined;
  if (bootstrapToken !== undefined && bootstrapToken.length < BOOTSTRAP_TOKEN_MIN_LENGTH) {
    throw new Error(
      `ADMIN_BOOTSTRAP_TOKEN must be at least ${BOOTSTRAP_TOKEN_MIN_LENGTH} characters`,
    );
  }
  return {
    port: portFromEnv(3000, env),
    database: databaseConfigFromEnv('admin', env),
    kafka: kafkaConfigFromEnv('tally-admin', env),
    ...(bootstrapToken ? { bootstrapToken } : {}),
    commandTimeoutMs: positiveInteger(env, 'ADMIN_COMMAND_TIMEOUT_MS', 10_000),
    http: {
      bodyLimitBytes: 64 * 1024,
      rateLimitMax: positiveInteger(env, 'ADMIN_RATE_LIMIT_MAX', 1000),
      rateLimitWindowMs: positiveInteger(env, 'ADMIN_RATE_LIMIT_WINDOW_MS', 60_000),
    },
    dashboardDir: path.resolve(env['ADMIN_DASHBOARD_DIR'] || 'dist/apps/dashboard'),
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${text}"`);
  }
  return value;
}
