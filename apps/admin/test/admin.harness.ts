import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InProcessApp, ServiceProcess, dropSchemas, isolate } from '@tally/testing';
import type { Isolation } from '@tally/testing';
import { prepareAdminHttp } from '../src/admin.app';
import type { HttpEdgeConfig } from '@tally/platform';
import { AdminModule } from '../src/admin.module';
import { ADMIN_EDGE } from '../src/http/admin-edge';
import type { AdminConfig } from '../src/config/admin.config';

export const BOOTSTRAP_TOKEN = 'bootstrap-token-for-admin-tests-0123456789';

/** A dashboard build stand-in: admin serves whatever directory the dashboard builds to. */
function dashboardFixture(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'tally-dashboard-'));
  writeFileSync(
    path.join(directory, 'index.html'),
    '<!doctype html><html><head><title>Tally</title></head><body><div id="root"></div></body></html>',
  );
  return directory;
}

export function adminConfig(
  isolation: Isolation,
  overrides: Partial<AdminConfig> = {},
): AdminConfig {
  return {
    port: 0,
    database: { url: isolation.databaseUrl, schema: isolation.schema('admin'), poolSize: 10 },
    kafka: {
      brokers: isolation.kafkaBrokers,
      clientId: 'admin-test',
      topicSuffix: isolation.suffix,
      partitions: 3,
      sessionTimeoutMs: 10_000,
    },
    bootstrapToken: BOOTSTRAP_TOKEN,
    commandTimeoutMs: 15_000,
    dashboardDir: dashboardFixture(),
    deadLetterRetentionDays: 90,
    ...overrides,
  };
}

export interface ApiAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: T;
}

/**
 * Admin in the test process and the ledger as a process (from dist/, as in production), on
 * topics and schemas of their own. `call` talks HTTP to admin like any client.
 */
export class AdminHarness {
  readonly isolation: Isolation;
  readonly admin: InProcessApp;
  private readonly processes: ServiceProcess[] = [];

  constructor(
    overrides: Partial<AdminConfig> = {},
    private readonly services: string[] = ['ledger'],
    /** The edge's limits; tests other than the rate limit's own are not held back by it. */
    edge: Partial<HttpEdgeConfig> = { rateLimitMax: 100_000 },
    /** Variables of one service's process beyond the shared ones. */
    private readonly serviceEnv: Record<string, Record<string, string>> = {},
    /** Topics and schemas of its own; a test may point the database URL at a proxy. */
    isolation: Isolation = isolate(),
  ) {
    this.isolation = isolation;
    this.admin = new InProcessApp(
      (i) => AdminModule.forRoot(adminConfig(i, overrides)),
      (i) => [i.schema('admin')],
      this.isolation,
      (app, i) => prepareAdminHttp(app, adminConfig(i, overrides)),
      { ...ADMIN_EDGE, ...edge },
    );
  }

  get url(): string {
    return this.admin.url;
  }

  topic(name: string): string {
    return this.admin.topic(name);
  }

  envFor(service: string): Record<string, string> {
    return {
      DATABASE_URL: this.isolation.databaseUrl,
      DB_SCHEMA: this.isolation.schema(service),
      DB_POOL_SIZE: '4',
      KAFKA_BROKERS: this.isolation.kafkaBrokers.join(','),
      KAFKA_TOPIC_SUFFIX: this.isolation.suffix,
      KAFKA_PARTITIONS: '3',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      LEDGER_RECONCILIATION_INTERVAL_MS: '0',
      ...this.serviceEnv[service],
    };
  }

  /** The running process of a service (its port, its logs). */
  process(service: string): ServiceProcess {
    const found = this.processes.find((process) => process.service === service);
    if (!found) throw new Error(`${service} is not running`);
    return found;
  }

  async start(): Promise<this> {
    for (const service of this.services) {
      this.processes.push(await ServiceProcess.start(service, this.envFor(service)));
    }
    await this.admin.start();
    return this;
  }

  async stop(): Promise<void> {
    for (const process of this.processes) await process.stop();
    await this.admin.stop();
    await dropSchemas(
      this.isolation.databaseUrl,
      this.services.map((service) => this.isolation.schema(service)),
    );
  }

  async call<T = Record<string, unknown>>(
    method: string,
    route: string,
    options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T>> {
    const token = options.token === undefined ? BOOTSTRAP_TOKEN : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${this.url}${route}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed as T };
  }
}
