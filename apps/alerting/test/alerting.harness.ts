import { InProcessApp, WebhookReceiver, isolate } from '@tally/testing';
import type { Behavior, CommandClient, Isolation } from '@tally/testing';
import { startAlertingCommands } from '../src/alerting.app';
import { ALERTING_COMMAND_PATTERNS } from '../src/commands/commands.module';
import { AlertingModule } from '../src/alerting.module';
import { alertingConfigFromEnv } from '../src/config/alerting.config';
import type { AlertingConfig } from '../src/config/alerting.config';
import { balanceChanged } from './alerting.fixtures';

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

  /** The ledger announces the account crossed 50 % of its spend: one YELLOW alert. */
  async crossHalf(account: string): Promise<void> {
    await this.kafka.produceJson(this.topic('ledger.balance-changed'), account, [
      balanceChanged(account, 1, { used: '50' }),
    ]);
  }
}

/** What alerting.set-channel answers (a refusal has neither id nor secret). */
type ChannelReply = Record<string, unknown> & { channel_id: string; signing_secret: string };

/**
 * The account's webhook channel to `path` (default `/<account>`) at the receiver, which answers
 * as `behavior` and checks signatures with the secret alerting made. Returns alerting's reply.
 */
export async function webhookChannel(
  commands: CommandClient,
  receiver: WebhookReceiver,
  account: string,
  channel: { path?: string; behavior?: Behavior; settings?: Record<string, unknown> } = {},
): Promise<ChannelReply> {
  const path = channel.path ?? `/${account}`;
  receiver.endpoint(path, { behavior: channel.behavior });
  const reply = await commands.send<ChannelReply>('alerting.set-channel', {
    account_id: account,
    type: 'webhook',
    url: receiver.url(path),
    ...channel.settings,
  });
  receiver.setSecret(path, reply.signing_secret);
  return reply;
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
