/*
 * `npm start`: runs every service as its own process, restarted with backoff if it crashes
 * (libs/platform Supervisor), then a demo producer that sends a few usage events a second for
 * three demo accounts and prints the balance changes the ledger announces, top-up's payments
 * and alerts. Kafka and PostgreSQL are started by infra/run.sh. Top-up runs dry unless
 * STRIPE_SECRET_KEY is set (see apps/topup/README.md for Stripe test mode).
 */
import { Kafka, logLevel } from 'kafkajs';
import { UsageProducer } from '@tally/client';
import { Topics } from '@tally/budget-domain';
import { kafkaClientConfig, kafkaSecurityFromEnv } from '@tally/messaging';
import { Supervisor, serviceNodeArgs } from '@tally/platform';
import type { AlertFired, BalanceChanged, PaymentEvent } from '@tally/budget-domain';

const SERVICES: Array<{ name: string; port: number }> = [
  { name: 'metering', port: 3003 },
  { name: 'ledger', port: 3001 },
  { name: 'topup', port: 3002 },
  { name: 'alerting', port: 3004 },
];
const DEMO_ACCOUNTS = ['acct_demo_1', 'acct_demo_2', 'acct_demo_3'];
const MODELS = ['gpt-4o-mini', 'claude-3-5-sonnet-20241022', 'gemini-1.5-flash'];
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const supervisor = new Supervisor();

/**
 * With a broker in secure mode (KAFKA_SASL=1, infra/kafka), each process authenticates as its
 * own principal, whose password infra/run.sh exported as KAFKA_SASL_PASSWORD_<PRINCIPAL>.
 */
function principalEnv(principal: string): NodeJS.ProcessEnv {
  if (process.env['KAFKA_SASL'] !== '1') return {};
  const variable = `KAFKA_SASL_PASSWORD_${principal.toUpperCase().replace(/-/g, '_')}`;
  const password = process.env[variable];
  if (!password) throw new Error(`KAFKA_SASL=1 but ${variable} is not set (infra/run.sh sets it)`);
  return { KAFKA_SASL_USERNAME: principal, KAFKA_SASL_PASSWORD: password };
}

function securityOf(principal: string) {
  return kafkaSecurityFromEnv({ ...process.env, ...principalEnv(principal) });
}

function startService(name: string, port: number): void {
  // A service sees its own password only, not the other principals'.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([variable]) => !variable.startsWith('KAFKA_SASL_PASSWORD_'),
    ),
  );
  supervisor.start({
    name,
    command: process.execPath,
    args: serviceNodeArgs(name),
    env: { ...env, PORT: String(port), ...principalEnv(name) },
  });
}

async function waitHealthy(name: string, port: number): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not become healthy on :${port}`);
}

async function watchBalances(): Promise<void> {
  // It reads what admin reads, so in secure mode it is admin (whose groups start with "admin").
  const consumer = new Kafka({
    ...kafkaClientConfig({ brokers, ...securityOf('admin') }, 'tally-demo'),
    logLevel: logLevel.ERROR,
  }).consumer({
    groupId: `admin-demo-watch-${Date.now()}`,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: [Topics.LedgerBalanceChanged, Topics.AlertsFired, Topics.PaymentsEvents],
    fromBeginning: false,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === Topics.AlertsFired) {
        const alert = JSON.parse(message.value?.toString('utf8') ?? '{}') as AlertFired;
        console.log(`[alert] ${alert.state} ${alert.kind}: ${alert.message}`);
        return;
      }
      if (topic === Topics.PaymentsEvents) {
        const payment = JSON.parse(message.value?.toString('utf8') ?? '{}') as PaymentEvent;
        console.log(
          `[payment] ${payment.account_id}: ${payment.kind} (${payment.trigger}) credit ${payment.credit_amount} for ${payment.paid_amount} ${payment.paid_currency}`,
        );
        return;
      }
      const balance = JSON.parse(message.value?.toString('utf8') ?? '{}') as BalanceChanged;
      console.log(
        `[balance] ${balance.account_id}: used ${balance.used} available ${balance.available} ` +
          `overage ${balance.overage} level ${balance.alert_level}`,
      );
    },
  });
}

async function produceDemoUsage(): Promise<void> {
  // A customer's producer: the gateway principal, which may write usage.events only.
  const { sasl, ssl } = kafkaClientConfig({ brokers, ...securityOf('gateway') }, 'tally-demo');
  const producer = await UsageProducer.connect({
    brokers,
    source: 'tally-demo',
    ...(sasl ? { sasl } : {}),
    ...(ssl ? { ssl } : {}),
  });
  let sent = 0;
  setInterval(() => {
    const accountId = DEMO_ACCOUNTS[sent % DEMO_ACCOUNTS.length]!;
    const model = MODELS[sent % MODELS.length]!;
    sent += 1;
    producer
      .send([
        {
          accountId,
          apiKeyId: 'key_demo',
          service: 'llm',
          model,
          inputTokens: 1200,
          outputTokens: 400,
        },
      ])
      .then(([event]) => console.log(`[demo] sent ${event!.id} ${accountId} ${model}`))
      .catch((error: unknown) => console.error(`[demo] send failed: ${String(error)}`));
  }, 1000);
}

async function main(): Promise<void> {
  for (const { name, port } of SERVICES) startService(name, port);
  await Promise.all(SERVICES.map(({ name, port }) => waitHealthy(name, port)));
  console.log('[demo] all services healthy; producing demo usage (Ctrl-C to stop)');
  await watchBalances();
  await produceDemoUsage();
}

function shutdown(): void {
  void supervisor.stop(5000).then(() => process.exit(process.exitCode ?? 0));
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
main().catch((error: unknown) => {
  console.error(error);
  shutdown();
  process.exitCode = 1;
});
