import path from 'node:path';
import type { DatabaseConfig } from '@tally/persistence';
import { databaseConfigFromEnv } from '@tally/persistence';
import type { KafkaConfig } from '@tally/messaging';
import { kafkaConfigFromEnv } from '@tally/messaging';
import { isBearerToken, portFromEnv, retentionDays, timerMs } from '@tally/platform';

/** Everything admin reads from the environment, validated once at boot. */
export interface AdminConfig {
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly kafka: KafkaConfig;
  /** ADMIN_BOOTSTRAP_TOKEN: an admin token for as long as it is set (it mints the others). */
  readonly bootstrapToken?: string;
  /** How long a command to the ledger, topup or alerting may take before the request fails. */
  readonly commandTimeoutMs: number;
  /** The dashboard's built files, served at `/`. */
  readonly dashboardDir: string;
  /** Days a dead letter is listed after its `at`; then admin deletes its copy (ADR 0137). */
  readonly deadLetterRetentionDays: number;
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
  // A token no `Authorization: Bearer <token>` header can carry would admit no one.
  if (bootstrapToken !== undefined && !isBearerToken(bootstrapToken)) {
    throw new Error(
      'ADMIN_BOOTSTRAP_TOKEN must be at most 512 letters, digits and - . _ ~ + / (then = padding), as a bearer token is sent',
    );
  }
  return {
    port: portFromEnv(3000, env),
    database: databaseConfigFromEnv('admin', env),
    kafka: kafkaConfigFromEnv('tally-admin', env),
    ...(bootstrapToken ? { bootstrapToken } : {}),
    commandTimeoutMs: timerMs(env, 'ADMIN_COMMAND_TIMEOUT_MS', 10_000),
    dashboardDir: path.resolve(env['ADMIN_DASHBOARD_DIR'] || 'dist/apps/dashboard'),
    deadLetterRetentionDays: retentionDays(env, 'ADMIN_DEAD_LETTER_RETENTION_DAYS', 90),
  };
}
