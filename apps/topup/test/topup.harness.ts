import { Topics } from '@tally/budget-domain';
import type { PaymentEvent, TopUpStatusChanged } from '@tally/budget-domain';
import {
  CommandClient,
  FakeStripeServer,
  InProcessApp,
  ServiceHarness,
  balanceChanged,
  eventually,
  isolate,
  queryDatabase,
} from '@tally/testing';
import type { FakeStripeRequest, Isolation, TopicRecorder } from '@tally/testing';
import { topUpConfigFromEnv } from '../src/config/topup.config';
import type { TopUpConfig } from '../src/config/topup.config';
import type { AutoTopUpSettingsReply } from '../src/auto-topup/auto-topup.service';
import { TOPUP_COMMAND_PATTERNS } from '../src/commands/commands.module';
import { startTopUp } from '../src/topup.app';
import { TopUpModule } from '../src/topup.module';

export const WEBHOOK_SECRET = 'whsec_tally_test_endpoint_secret';

/** What payments.events says of an auto top-up that bought the default pack: 10 for 30 CHF. */
export const AUTO_PACK_PURCHASED = {
  kind: 'credit_purchased',
  trigger: 'auto',
  credit_amount: '10.000000',
  paid_amount: '30.000000',
  paid_currency: 'CHF',
} as const;

/** The auto top-up decision stored for an account, and the balance it was taken on. */
export interface StoredDecision {
  last_decision: string | null;
  last_balance_sequence: string | null;
}

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

  /** The ledger announces the account's balance with `availablePercent` left (and `figures`). */
  async balance(
    accountId: string,
    sequence: number,
    availablePercent: number,
    figures: Record<string, unknown> = {},
  ): Promise<void> {
    await this.kafka.produceJson(this.topic(Topics.LedgerBalanceChanged), accountId, [
      balanceChanged(accountId, sequence, availablePercent, figures),
    ]);
  }

  send<T = Record<string, unknown>>(pattern: string, payload: unknown): Promise<T> {
    return this.commands.send<T>(pattern, payload);
  }

  /** Top-up's database schema. */
  get schema(): string {
    return this.isolation.schema('topup');
  }

  /** Runs SQL against the test database (write `"${topup.schema}".table` for top-up's tables). */
  db<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return queryDatabase<T>(this.isolation.databaseUrl, sql, params);
  }

  /** Delivers a Stripe event, which the webhook must answer 200, and returns its outcome. */
  async outcomeOf(event: Record<string, unknown>): Promise<string> {
    const response = await this.deliver(event);
    if (response.status !== 200)
      throw new Error(`the webhook answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { outcome: string }).outcome;
  }

  /** The account's top-up history (first page), each entry as the values of `fields`. */
  async historyFieldsOf(account: string, ...fields: string[]): Promise<Array<Array<string>>> {
    return (await this.historyOf(account)).items.map((item) =>
      fields.map((field) => item[field] as string),
    );
  }

  /** The account's top-up history as `topup.history` answers it (first page). */
  historyOf(account: string): Promise<{ items: Array<Record<string, string>> }> {
    return this.send('topup.history', { account_id: account });
  }

  /** The payments.events announced for the account so far, in order. */
  paymentsOf(account: string): PaymentEvent[] {
    return this.payments.json<PaymentEvent>().filter((payment) => payment.account_id === account);
  }

  /** The payments.events announced for the account so far, each as the values of `fields`. */
  paymentFieldsOf<Field extends keyof PaymentEvent>(
    account: string,
    ...fields: Field[]
  ): Array<Array<PaymentEvent[Field]>> {
    return this.paymentsOf(account).map((payment) => fields.map((field) => payment[field]));
  }

  /** The topup.status-changed events announced for the account so far, in order. */
  statusesOf(account: string): TopUpStatusChanged[] {
    return this.statuses
      .json<TopUpStatusChanged>()
      .filter((status) => status.account_id === account);
  }

  /** The auto top-up state the account announced last (undefined before any). */
  latestStatusOf(account: string): TopUpStatusChanged['auto_topup'] | undefined {
    return this.statusesOf(account).pop()?.auto_topup;
  }

  /** The PaymentIntents top-up asked the fake Stripe to create for the account (retries too). */
  chargesOf(account: string): FakeStripeRequest[] {
    return this.stripe
      .requestsTo('POST', '/v1/payment_intents')
      .filter(
        (request) =>
          (request.params['metadata'] as Record<string, string>)['account_id'] === account,
      );
  }

  /** The account's stored auto top-up decision now (undefined without settings). */
  async decisionOf(account: string): Promise<StoredDecision | undefined> {
    const [row] = await this.db<StoredDecision>(
      `SELECT last_decision, last_balance_sequence::text FROM "${this.schema}".auto_topup_settings WHERE account_id = $1`,
      [account],
    );
    return row;
  }

  /** Waits until top-up applied the balance of that sequence; returns what it decided. */
  decided(account: string, sequence: number): Promise<string | null> {
    return eventually(async () => {
      const row = await this.decisionOf(account);
      expect(row?.last_balance_sequence).toBe(String(sequence));
      return row?.last_decision ?? null;
    });
  }

  /**
   * Waits for one payment per charge key, then expects the last to be the pack bought
   * automatically, the account's charges to be made under exactly `keys`, and balance
   * `sequence` decided charged.
   */
  async boughtThePack(account: string, sequence: number, keys: string[]): Promise<void> {
    await eventually(() => expect(this.paymentsOf(account)).toHaveLength(keys.length));
    expect(this.paymentsOf(account)[keys.length - 1]).toMatchObject(AUTO_PACK_PURCHASED);
    expect(this.chargesOf(account).map((request) => request.idempotencyKey)).toEqual(keys);
    expect(await this.decided(account, sequence)).toBe('charged');
  }

  /**
   * An automatic charge of a saved card whose answers are lost: the first attempt charges the
   * card, its answer and the client's own retry's are lost, and four more attempts are taken as
   * gone the same way (each 2 s to 30 min apart), so the next, due in a second, is the last.
   */
  async lostChargeAtItsLastAttempt(account: string): Promise<void> {
    await this.saveCard(account);
    this.stripe.dropNextResponses(2);
    await this.balance(account, 3, 4);
    await eventually(() => expect(this.chargesOf(account)).toHaveLength(2));
    await eventually(async () =>
      expect(
        await this.db(
          `UPDATE "${this.schema}".topup_entries SET charge_attempts = 5, next_charge_at = now() + interval '1 second'
           WHERE account_id = $1 AND status = 'pending' AND charge_attempts = 1 RETURNING entry_id`,
          [account],
        ),
      ).toHaveLength(1),
    );
  }

  /**
   * The tenant completes a setup session (auto top-up turned on unless `enable` is false, the
   * command's default when omitted): a customer and a card are saved. Returns the card.
   */
  async saveCard(
    account: string,
    options: { enable?: boolean } = {},
  ): Promise<{ payment_method: string; customer: string }> {
    const setup = await this.send<{ checkout_url: string; session_id: string }>(
      'topup.create-setup',
      options.enable === undefined
        ? { account_id: account }
        : { account_id: account, enable_auto_topup: options.enable },
    );
    expect(setup.checkout_url).toContain(setup.session_id);
    const session = this.stripe.completeCheckout(setup.session_id);
    const response = await this.deliver(this.stripe.event('checkout.session.completed', session));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'handled' });
    return this.stripe.object<{ payment_method: string; customer: string }>(
      session['setup_intent'] as string,
    );
  }

  /** Stripe's setup_intent.succeeded saving `pm_<account>_card`, auto top-up on. */
  setupSucceeded(account: string): Record<string, unknown> {
    return this.stripe.event('setup_intent.succeeded', {
      id: `seti_${account}`,
      object: 'setup_intent',
      status: 'succeeded',
      customer: `cus_${account}`,
      payment_method: `pm_${account}_card`,
      metadata: { account_id: account, purpose: 'auto_topup_setup', enable_auto_topup: 'true' },
    });
  }

  /** The account's auto top-up settings and state, as topup.get-auto-topup answers them. */
  autoTopUpSettings(account: string): Promise<AutoTopUpSettingsReply> {
    return this.send<AutoTopUpSettingsReply>('topup.get-auto-topup', { account_id: account });
  }
}

/**
 * Top-up against a fake Stripe of its own for one spec: both start before its first test and
 * stop after its last. `env` is read when top-up starts, so a spec can fill it in before.
 */
export function topUpAgainstFakeStripe(env: Record<string, string> = {}) {
  const stripe = new FakeStripeServer();
  const topup = new TopUpHarness(stripe, env);
  beforeAll(async () => {
    await stripe.listen();
    await topup.start();
  });
  afterAll(async () => {
    await topup.stop();
    await stripe.stop();
  });
  return { stripe, topup };
}

/** An account of the ledger's own, credited once before a spec's first test. */
const LEDGER_WARM_UP = 'acct_ledger_warm_up';

/**
 * The same with the ledger as its own process beside top-up (configured by `env`), crediting
 * what it sells; `ledgerCommands` sends the ledger the commands `patterns` names.
 */
export function topUpWithTheLedger(patterns: readonly string[], env: Record<string, string> = {}) {
  const { stripe, topup } = topUpAgainstFakeStripe(env);
  const ledger = new ServiceHarness(topup.isolation);
  const { kafkaBrokers, suffix } = topup.isolation;
  const ledgerCommands = new CommandClient(kafkaBrokers, suffix, [
    ...new Set([...patterns, 'ledger.budget-status']),
  ]);
  beforeAll(async () => {
    await ledger.start('ledger');
    await ledgerCommands.connect();
    // On a busy broker the ledger may join its payments group well after it answers: a first
    // test would wait for a credit longer than it waits for anything.
    await topup.kafka.produceJson(topup.topic(Topics.PaymentsEvents), LEDGER_WARM_UP, [
      {
        schema_version: 1,
        id: `topup:${LEDGER_WARM_UP}:purchased`,
        account_id: LEDGER_WARM_UP,
        kind: 'credit_purchased',
        trigger: 'manual',
        credit_amount: '1.000000',
        paid_amount: '3.000000',
        paid_currency: 'CHF',
        stripe_ref: null,
        at: new Date().toISOString(),
      } satisfies PaymentEvent,
    ]);
    await eventually(
      async () => expect(await ledgerCredit(LEDGER_WARM_UP)).toBe('1.000000'),
      180_000,
    );
  }, 240_000);
  afterAll(async () => {
    await ledgerCommands.close();
    await ledger.stop();
  });
  /** The prepaid credit the ledger holds for the account now. */
  const ledgerCredit = async (account: string) =>
    (
      await ledgerCommands.send<{ extra_credit_remaining?: string }>('ledger.budget-status', {
        account_id: account,
      })
    ).extra_credit_remaining;
  /** A checkout of `amount` paid, its webhook handled and the ledger showing `credit`; its payment intent. */
  const checkoutPaid = async (account: string, amount: string, credit: string) => {
    const reply = await topup.send<{ session_id: string }>('topup.create-checkout', {
      account_id: account,
      amount_paid: amount,
    });
    const session = stripe.completeCheckout(reply.session_id);
    await topup.outcomeOf(stripe.event('checkout.session.completed', session));
    await eventually(async () => expect(await ledgerCredit(account)).toBe(credit));
    return session['payment_intent'] as string;
  };
  /**
   * The ledger's postings to the account's credit wallet, oldest first: the transaction's kind,
   * the payment it posts, the paid amount it names and the signed credit.
   */
  const ledgerCreditPostings = (account: string) =>
    queryDatabase<{ kind: string; source_id: string; paid: string; credit: string }>(
      topup.isolation.databaseUrl,
      `SELECT t.kind, t.source_id, t.details->>'paid_amount' AS paid, p.amount::text AS credit
       FROM "${topup.isolation.schema('ledger')}".transactions AS t
       JOIN "${topup.isolation.schema('ledger')}".postings AS p
         ON p.account_id = t.account_id AND p.transaction_id = t.transaction_id
       WHERE t.account_id = $1 AND p.ledger_code = 'credit'
       ORDER BY t.posted_at, t.source_id`,
      [account],
    );
  return {
    stripe,
    topup,
    ledger,
    ledgerCommands,
    ledgerCredit,
    ledgerCreditPostings,
    checkoutPaid,
  };
}
