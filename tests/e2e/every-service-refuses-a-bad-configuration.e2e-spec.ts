import { KafkaTestClient, ServiceHarness, ServiceProcess, dropSchemas } from '@tally/testing';

const SERVICES = ['metering', 'ledger', 'topup', 'alerting', 'admin'] as const;
/** Above setTimeout's largest delay: Node would run such a timer after 1 ms, again and again. */
const BEYOND_A_TIMER = '3000000000';

/**
 * A variable set to nonsense stops the start with one line naming it and a non-zero exit, for
 * the supervisor or Kubernetes to show; a service never runs on it (a round every 1 ms, a
 * broker it can never reach, every command timing out at once).
 */
describe('every service refuses a bad configuration', () => {
  const harness = new ServiceHarness();
  const cases: [service: string, variable: string, value: string, also?: Record<string, string>][] =
    [
      ...SERVICES.flatMap((service): [string, string, string][] => [
        [service, 'KAFKA_BROKERS', 'kafka'],
        [service, 'KAFKA_BROKERS', '127.0.0.1:99999'],
        [service, 'DATABASE_URL', 'postgres//tally:secret@db/tally'],
        [service, 'KAFKA_PARTITIONS', 'abc'],
        // A random port no supervisor, probe or load balancer can find.
        [service, 'PORT', '0'],
      ]),
      // Accepted but meaningless (ADR 0146): a value out of its range, beyond what a number or a
      // timer holds, a switch word the service would read as off, a URL without its scheme.
      ['metering', 'PORT', '0x1f90'],
      ['metering', 'KAFKA_BROKERS', ' '],
      ['metering', 'KAFKA_PARTITIONS', '99999999999999999999'],
      ['metering', 'KAFKA_TOPIC_SUFFIX', '-run 7'],
      ['metering', 'KAFKA_SSL', 'tls'],
      ['metering', 'METERING_MAX_EVENT_AGE_DAYS', 'Infinity'],
      ['metering', 'METERING_MAX_EVENT_AGE_DAYS', '1e400'],
      ['metering', 'METERING_MAX_EVENT_AGE_DAYS', '99999999999999999999'],
      ['ledger', 'KAFKA_SESSION_TIMEOUT_MS', BEYOND_A_TIMER],
      ['ledger', 'DB_POOL_SIZE', '99999999999999999999'],
      ['ledger', 'OUTBOX_RETENTION_DAYS', '99999999999999999999'],
      ['topup', 'TOPUP_SUCCESS_URL', 'localhost:3000/topups/success'],
      ['topup', 'TOPUP_CANCEL_URL', 'ftp://tally.example/topups/cancel'],
      ['topup', 'TOPUP_MIN_PAID', '2000'],
      ['topup', 'TOPUP_MIN_PAID', '0.001'],
      ['topup', 'TOPUP_ALLOW_LIVE', 'maybe'],
      // DESIGN's CHF packs and bounds in yen: 5 to 90 yen, below the 50 Stripe charges at least.
      ['topup', 'TOPUP_PAID_CURRENCY', 'JPY'],
      ['topup', 'TOPUP_PACKS', '10,30,2000'],
      // A publishable key charges nothing: every command would fail at Stripe.
      ['topup', 'STRIPE_SECRET_KEY', 'pk_test_publishable', { STRIPE_WEBHOOK_SECRET: 'whsec_x' }],
      // The API key pasted as the endpoint's: no webhook would ever verify.
      [
        'topup',
        'STRIPE_WEBHOOK_SECRET',
        'sk_test_pasted_twice',
        { STRIPE_SECRET_KEY: 'sk_test_x' },
      ],
      ['alerting', 'ALERTING_BLOCK_PRIVATE_URLS', 'enabled'],
      ['alerting', 'ALERTING_SMTP_URL', 'mail.tally.example:25'],
      ['alerting', 'ALERTING_EMAIL_FROM', 'Tally alerts'],
      ['alerting', 'ALERTING_RETRY_MAX_DELAY_MS', '99999999999999999999'],
      ['alerting', 'ALERTING_MAX_ATTEMPTS', '99999999999999999999'],
      ['alerting', 'ALERTING_DELIVERY_ACCOUNT_CONCURRENCY', '64'],
      ['alerting', 'ALERTING_ANOMALY_FACTOR', '0'],
      ['alerting', 'ALERTING_ANOMALY_WINDOW_HOURS', '99999999999999999999'],
      ['alerting', 'ALERTING_ANOMALY_MIN_HISTORY_HOURS', '48'],
      ['admin', 'ADMIN_BOOTSTRAP_TOKEN', 'a token with spaces in it'],
      ['admin', 'HTTP_RATE_LIMIT_WINDOW_MS', BEYOND_A_TIMER],
      ['ledger', 'LEDGER_HOLD_SWEEP_INTERVAL_MS', 'abc'],
      ['ledger', 'LEDGER_RECONCILIATION_INTERVAL_MS', '-1'],
      ['ledger', 'LEDGER_HOLD_SWEEP_INTERVAL_MS', BEYOND_A_TIMER],
      ['topup', 'TOPUP_RECHECK_INTERVAL_MS', BEYOND_A_TIMER],
      // Charging without the webhook secret that credits a checkout (ADR 0114).
      ['topup', 'STRIPE_SECRET_KEY', 'sk_test_without_a_webhook_secret'],
      ['admin', 'ADMIN_COMMAND_TIMEOUT_MS', BEYOND_A_TIMER],
      ['alerting', 'ALERTING_DELIVERY_POLL_MS', BEYOND_A_TIMER],
      ['alerting', 'ALERTING_DELIVERY_TIMEOUT_MS', BEYOND_A_TIMER],
      // A catalog file missing or not a catalog (this spec's own source) stops the start too.
      ['metering', 'METERING_CATALOG_FILE', '/nonexistent/prices.json'],
      ['metering', 'METERING_CATALOG_FILE', __filename],
      ['ledger', 'LEDGER_CATALOG_FILE', '/nonexistent/prices.json'],
      ['ledger', 'LEDGER_CATALOG_FILE', __filename],
    ];

  afterAll(async () => {
    // A service that wrongly started made its topics and schema.
    const kafka = new KafkaTestClient(harness.isolation.kafkaBrokers);
    await kafka.deleteTopics(harness.isolation.suffix);
    await dropSchemas(
      harness.isolation.databaseUrl,
      SERVICES.map((service) => harness.isolation.schema(service)),
    );
  });

  it.each(cases)(
    '%s with %s=%s exits non-zero saying so in one line',
    async (service, variable, value, also = {}) => {
      const { code, output } = await ServiceProcess.exitOf(
        service,
        // Nest's logger writes no colour codes with NO_COLOR set.
        { ...harness.envFor(service), NO_COLOR: '1', ...also, [variable]: value },
        15_000,
      );
      const lines = output.split('\n').filter((line) => line.trim());
      expect({ exited: code !== null && code !== 0, lines }).toEqual({
        exited: true,
        lines: [expect.stringContaining(variable)],
      });
      expect(output).not.toContain('secret');
    },
  );
});
