import type { DynamicModule, INestApplication } from '@nestjs/common';
import { createServiceApp } from '@tally/platform';
import type { HttpEdgeConfig } from '@tally/platform';
import { CommandClient } from './command.client';
import { dropSchemas, isolate } from './isolation';
import type { Isolation } from './isolation';
import { KafkaTestClient } from './kafka-test.client';

/**
 * A service's Nest application in the test process, on the real broker and database, with
 * topics and a schema of its own. Listens on a free port for its HTTP API.
 */
export class InProcessApp {
  readonly kafka: KafkaTestClient;
  private readonly apps: INestApplication[] = [];
  private commandClient: Promise<CommandClient> | undefined;

  constructor(
    private readonly createModule: (isolation: Isolation) => DynamicModule,
    private readonly schemas: (isolation: Isolation) => string[],
    readonly isolation: Isolation = isolate(),
    private readonly beforeListen?: (app: INestApplication, isolation: Isolation) => Promise<void>,
    /** The service's own edge settings (a dashboard's CSP, a test's rate limit). */
    private readonly edge: Partial<HttpEdgeConfig> = {},
  ) {
    this.kafka = new KafkaTestClient(isolation.kafkaBrokers);
  }

  topic(name: string): string {
    return `${name}.${this.isolation.suffix}`;
  }

  /** The base URL of the first running instance. */
  get url(): string {
    const app = this.apps[0];
    if (!app) throw new Error('no instance is running');
    return this.urlOf(app);
  }

  /** The base URL of one of the running instances (as `startInstance` returned it). */
  urlOf(app: INestApplication): string {
    const server = app.getHttpServer() as { address(): { port: number } };
    return `http://127.0.0.1:${server.address().port}`;
  }

  get app(): INestApplication {
    const app = this.apps[0];
    if (!app) throw new Error('no instance is running');
    return app;
  }

  async start(): Promise<this> {
    await this.kafka.connect();
    await this.startInstance();
    return this;
  }

  async startInstance(): Promise<INestApplication> {
    const app = await createServiceApp(
      this.createModule(this.isolation),
      ['error', 'warn'],
      this.edge,
    );
    await this.beforeListen?.(app, this.isolation);
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    return app;
  }

  /** Stops every instance (gracefully) and starts a fresh one on the same schema and topics. */
  async restart(): Promise<void> {
    for (const app of this.apps.splice(0)) await app.close();
    await this.startInstance();
  }

  /** A client of the service's commands, as admin sends them (connected once, closed by `stop`). */
  protected commandsOf(patterns: readonly string[]): Promise<CommandClient> {
    this.commandClient ??= new CommandClient(
      this.isolation.kafkaBrokers,
      this.isolation.suffix,
      patterns,
    ).connect();
    return this.commandClient;
  }

  async stop(): Promise<void> {
    const commands = this.commandClient;
    this.commandClient = undefined;
    await (await commands?.catch(() => undefined))?.close();
    for (const app of this.apps.splice(0)) await app.close();
    await this.kafka.close();
    await this.kafka.deleteTopics(this.isolation.suffix);
    await dropSchemas(this.isolation.databaseUrl, this.schemas(this.isolation));
  }
}
