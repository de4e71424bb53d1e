import { InProcessApp, WebhookReceiver, isolate } from '@tally/testing';
import type { CommandClient, Isolation } from '@tally/testing';
import { startAlertingCommands } from '../src/alerting.app';
import { ALERTING_COMMAND_PATTERNS } from '../src/commands/commands.module';
import { AlertingModule } from '../src/alerting.module';
import { alertingConfigFromEnv } from '../src/config/alerting.config';
import type { AlertingConfig } from '../src/config/alerting.config';

/** Alerting's configuration for a test: isolated schema and topics, environment-style overrides. */
export function alertingConfig(
  isolation: Isolation,
  env: Record<string, string> = {},
): AlertingConfig {
  return alertingConfigFromEnv({
    DATABASE_URL: isolation.databaseUrl,
    DB_SCHEMA: isolation.schema('alerting'),
    KAFKA_BROKERS: isolation.kafkaBrokers.join(','),
    KAFKA_TOPIC_SUFFIX: isolation.suffix,
    KAFKA_PARTITIONS: '3',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    ...env,
  });
}

/** Alerting in the test process; `env` is read when it starts, so a test can fill it in before. */
export class AlertingHarness extends InProcessApp {
  constructor(
    readonly env: Record<string, string> = {},
    isolation: Isolation = isolate(),
  ) {
    super(
      (i) => AlertingModule.forRoot(alertingConfig(i, env)),
      (i) => [i.schema('alerting')],
      isolation,
      (app, i) => startAlertingCommands(app, alertingConfig(i, env)),
    );
  }

  /** A client of alerting's commands, as admin sends them (connected once, closed by `stop`). */
  commands(): Promise<CommandClient> {
    return this.commandsOf(ALERTING_COMMAND_PATTERNS);
  }
}

/**
 * Alerting and a webhook receiver for one spec: the receiver starts first, so that alerting can
 * reach it, and both stop after the spec. `commands()` is alerting's command client once started.
 */
export function alertingWithReceiver(env: Record<string, string> = {}) {
  const alerting = new AlertingHarness(env);
  const receiver = new WebhookReceiver();
  let client: CommandClient | undefined;
  beforeAll(async () => {
    await receiver.start();
    await alerting.start();
    client = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
    await receiver.stop();
  });
  const commands = (): CommandClient => {
    if (!client) throw new Error('alerting has not started');
    return client;
  };
  return { alerting, receiver, commands };
}
