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
  const cases: [service: string, variable: string, value: string][] = [
    ...SERVICES.flatMap((service): [string, string, string][] => [
      [service, 'KAFKA_BROKERS', 'kafka'],
      [service, 'KAFKA_BROKERS', '127.0.0.1:99999'],
      [service, 'DATABASE_URL', 'postgres//tally:secret@db/tally'],
      [service, 'KAFKA_PARTITIONS', 'abc'],
    ]),
    ['ledger', 'LEDGER_HOLD_SWEEP_INTERVAL_MS', 'abc'],
    ['ledger', 'LEDGER_RECONCILIATION_INTERVAL_MS', '-1'],
    ['ledger', 'LEDGER_HOLD_SWEEP_INTERVAL_MS', BEYOND_A_TIMER],
    ['topup', 'TOPUP_RECHECK_INTERVAL_MS', BEYOND_A_TIMER],
    // Charging without the webhook secret that credits a checkout (ADR 0114).
    ['topup', 'STRIPE_SECRET_KEY', 'sk_test_without_a_webhook_secret'],
    ['admin', 'ADMIN_COMMAND_TIMEOUT_MS', BEYOND_A_TIMER],
    ['alerting', 'ALERTING_DELIVERY_POLL_MS', BEYOND_A_TIMER],
    ['alerting', 'ALERTING_DELIVERY_TIMEOUT_MS', BEYOND_A_TIMER],
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
    async (service, variable, value) => {
      const { code, output } = await ServiceProcess.exitOf(
        service,
        // Nest's logger writes no colour codes with NO_COLOR set.
        { ...harness.envFor(service), NO_COLOR: '1', [variable]: value },
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
