import { Topics } from '@tally/budget-domain';
import { CommandClient, InProcessApp, balanceChanged, isolate } from '@tally/testing';
import type { FakeStripeServer, Isolation, TopicRecorder } from '@tally/testing';
import { topUpConfigFromEnv } from '../src/config/topup.config';
import type { TopUpConfig } from '../src/config/topup.config';
import { TOPUP_COMMAND_PATTERNS } from '../src/commands/commands.module';
import { startTopUp } from '../src/topup.app';
import { TopUpModule } from '../src/topup.module';

export const WEBHOOK_SECRET = 'whsec_tally_test_endpoint_secret';

/**
 * Top-up's configuration for a test, read from the environment variables of DESIGN 5 (and
 * the infrastructure's), so tests configure it exactly as operators do.
 */
export function topUpConfig(
  isolation: Isolation,
  stripe: FakeStripeServer,
  env: Record<string, string> = {},
): TopUpConfig {
  return topUpConfigFromEnv({
    STRIPE_SECRET_KEY: 'sk_test_tally_fake',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: stripe.url,
    DATABASE_URL: isolation.databaseUrl,
    DB_SCHEMA: isolation.schema('topup'),
    DB_POOL_SIZE: '6',
    KAFKA_BROKERS: isolation.kafkaBrokers.join(','),
    KAFKA_TOPIC_SUFFIX: isolation.suffix,
    KAFKA_PARTITIONS: '3',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    PORT: '0',
    ...env,
  });
}

/** Top-up in the test process against a fake Stripe, with its commands and topics at hand. */
export class TopUpHarness extends InProcessApp {
  readonly commands: CommandClient;
  payments!: TopicRecorder;
  statuses!: TopicRecorder;

  constructor(
    readonly stripe: FakeStripeServer,
    env: Record<string, string> = {},
    isolation: Isolation = isolate(),
  ) {
    super(
      (i) => TopUpModule.forRoot(topUpConfig(i, stripe, env)),
      (i) => [i.schema('topup')],
      isolation,
      (app, i) => startTopUp(app, topUpConfig(i, stripe, env)),
    );
    this.commands = new CommandClient(
      isolation.kafkaBrokers,
      isolation.suffix,
      TOPUP_COMMAND_PATTERNS,
    );
  }

  override async start(): Promise<this> {
    await super.start();
    await this.commands.connect();
    this.payments = await this.kafka.record(this.topic(Topics.PaymentsEvents));
    this.statuses = await this.kafka.record(this.topic(Topics.TopUpStatusChanged));
    return this;
  }

  override async stop(): Promise<void> {
    await this.commands.close();
    await super.stop();
  }

  get webhookUrl(): string {
    return `${this.url}/webhooks/stripe`;
  }

  /** Delivers a Stripe event to the webhook, signed with the endpoint secret. */
  deliver(
    event: Record<string, unknown>,
    options: { timestamp?: number; header?: string | null; secret?: string } = {},
  ): Promise<Response> {
    return this.stripe.deliver(this.webhookUrl, event, options.secret ?? WEBHOOK_SECRET, options);
  }

  /** The ledger announces the account's balance with `availablePercent` left. */
  async balance(accountId: string, sequence: number, availablePercent: number): Promise<void> {
    await this.kafka.produceJson(this.topic(Topics.LedgerBalanceChanged), accountId, [
      balanceChanged(accountId, sequence, availablePercent),
    ]);
  }

  send<T = Record<string, unknown>>(pattern: string, payload: unknown): Promise<T> {
    return this.commands.send<T>(pattern, payload);
  }
}
