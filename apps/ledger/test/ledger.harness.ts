import { newApiKeySecret } from '@tally/platform';
import { InProcessApp, isolate, queryDatabase } from '@tally/testing';
import type { CommandClient, Isolation } from '@tally/testing';
import type { LedgerConfig } from '../src/config/ledger.config';
import type { Clock } from '../src/clock';
import { startLedgerCommands } from '../src/ledger.app';
import { LedgerModule } from '../src/ledger.module';
import { AccountsService } from '../src/accounts/accounts.service';
import { LEDGER_COMMAND_PATTERNS } from '../src/commands/commands.module';

export function ledgerConfig(
  isolation: Isolation,
  overrides: Partial<LedgerConfig> = {},
): LedgerConfig {
  return {
    port: 0,
    database: { url: isolation.databaseUrl, schema: isolation.schema('ledger'), poolSize: 10 },
    kafka: {
      brokers: isolation.kafkaBrokers,
      clientId: 'ledger-test',
      topicSuffix: isolation.suffix,
      partitions: 3,
      sessionTimeoutMs: 10_000,
    },
    reconciliationIntervalMs: 0,
    holdSweepIntervalMs: 0,
    holdRetentionDays: 7,
    ...overrides,
  };
}

/** The ledger in the test process; its services are reachable through `get`. */
export class LedgerHarness extends InProcessApp {
  constructor(
    isolation: Isolation = isolate(),
    clock?: Clock,
    overrides: Partial<LedgerConfig> = {},
  ) {
    super(
      (i) => LedgerModule.forRoot(ledgerConfig(i, overrides), clock),
      (i) => [i.schema('ledger')],
      isolation,
      (app, i) => startLedgerCommands(app, ledgerConfig(i, overrides)),
    );
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.app.get(type);
  }

  /** A client of the ledger's commands, as admin sends them (connected once, closed by `stop`). */
  commands(): Promise<CommandClient> {
    return this.commandsOf(LEDGER_COMMAND_PATTERNS);
  }

  /** POST /v1/authorizations with the key's secret; a string body is sent as it is. */
  authorize(secret: string, body: unknown): Promise<Response> {
    return fetch(`${this.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** DELETE /v1/authorizations/:id with the key's secret. */
  release(secret: string, reservationId: string): Promise<Response> {
    return fetch(`${this.url}/v1/authorizations/${reservationId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${secret}` },
    });
  }

  /** How many rows the ledger's `table` holds now. */
  async rowCount(table: string): Promise<number> {
    const rows = await queryDatabase<{ n: number }>(
      this.isolation.databaseUrl,
      `SELECT count(*)::int AS n FROM "${this.isolation.schema('ledger')}".${table}`,
    );
    return rows[0]?.n ?? 0;
  }

  /** A key of the account, its secret made here as admin makes it. */
  async createApiKey(
    accountId: string,
    name: string,
  ): Promise<{ api_key_id: string; secret: string }> {
    const { secret, secretSha256, prefix } = newApiKeySecret();
    const key = await this.get(AccountsService).createApiKey({
      accountId,
      name,
      secretSha256,
      prefix,
    });
    return { api_key_id: key.api_key_id, secret };
  }
}

/** A clock the test sets. */
export class TestClock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  set(instant: string): void {
    this.current = new Date(instant);
  }
}
