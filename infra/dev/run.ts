/*
 * `npm start`: runs every service as its own process, restarted with backoff if it crashes
 * (libs/platform Supervisor), then a demo producer that sends a few usage events a second for
 * three demo accounts and prints the balance changes the ledger announces, top-up's payments
 * and alerts. Kafka and PostgreSQL are started by infra/run.sh. Top-up runs dry unless
 * STRIPE_SECRET_KEY is set (see apps/topup/README.md for Stripe test mode). Admin serves the
 * API and the dashboard on :3000; the admin token to sign in with is printed
 * (ADMIN_BOOTSTRAP_TOKEN, made up for this run unless set).
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { UsageProducer } from '@tally/client';
import { Topics } from '@tally/budget-domain';
import { kafkaClientConfig, kafkaSecurityFromEnv, topicName } from '@tally/messaging';
import { Supervisor, serviceNodeArgs } from '@tally/platform';
import type { AlertFired, BalanceChanged, PaymentEvent } from '@tally/budget-domain';
import { serviceEnv } from './service-env';

const SERVICES: Array<{ name: string; port: number }> = [
  { name: 'metering', port: 3003 },
  { name: 'ledger', port: 3001 },
  { name: 'topup', port: 3002 },
  { name: 'alerting', port: 3004 },
  { name: 'admin', port: 3000 },
];
const adminToken =
  process.env['ADMIN_BOOTSTRAP_TOKEN'] || `demo_${randomBytes(24).toString('base64url')}`;
/** Budgets of different sizes, so the demo accounts reach different alert levels. */
const DEMO_BUDGETS: Record<string, string> = {
  acct_demo_1: '0.02',
  acct_demo_2: '0.50',
  acct_demo_3: '5.00',
};
const DEMO_ACCOUNTS = ['acct_demo_1', 'acct_demo_2', 'acct_demo_3'];
const MODELS = ['gpt-4o-mini', 'claude-3-5-sonnet-20241022', 'gemini-1.5-flash'];
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
// The services append KAFKA_TOPIC_SUFFIX to their topics; the demo must produce and watch those.
const topicOf = (name: string): string =>
  topicName({ topicSuffix: process.env['KAFKA_TOPIC_SUFFIX'] ?? '' }, name);
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
  supervisor.start({
    name,
    command: process.execPath,
    args: serviceNodeArgs(name),
    env: serviceEnv(name, process.env, {
      PORT: String(port),
      ...principalEnv(name),
      ...(name === 'admin' ? { ADMIN_BOOTSTRAP_TOKEN: adminToken } : {}),
    }),
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

/** The demo accounts, created and given budgets through admin's API. */
async function seedDemoAccounts(): Promise<void> {
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`http://127.0.0.1:3000${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  };
  for (const [index, accountId] of DEMO_ACCOUNTS.entries()) {
    await call('POST', '/v1/accounts', {
      account_id: accountId,
      name: `Demo customer ${index + 1}`,
    });
    await call('PUT', `/v1/accounts/${accountId}/budget`, {
      period: 'monthly',
      limit: DEMO_BUDGETS[accountId],
      hard_limit: false,
    });
  }
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
    topics: [Topics.LedgerBalanceChanged, Topics.AlertsFired, Topics.PaymentsEvents].map(topicOf),
    fromBeginning: false,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === topicOf(Topics.AlertsFired)) {
        const alert = JSON.parse(message.value?.toString('utf8') ?? '{}') as AlertFired;
        console.log(`[alert] ${alert.state} ${alert.kind}: ${alert.message}`);
        return;
      }
      if (topic === topicOf(Topics.PaymentsEvents)) {
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
    topic: topicOf(Topics.UsageEvents),
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
  await seedDemoAccounts();
  console.log('[demo] all services healthy; producing demo usage (Ctrl-C to stop)');
  console.log(`[demo] dashboard: http://localhost:3000/  admin token: ${adminToken}`);
  console.log('[demo] API docs: http://localhost:3000/docs');
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
