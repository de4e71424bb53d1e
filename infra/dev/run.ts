/*
 * `npm start`: runs every service as its own process, then a demo producer that sends a few
 * usage events a second for three demo accounts and prints the balance changes the ledger
 * announces. Kafka and PostgreSQL are started by infra/run.sh. Admin serves the API and the
 * dashboard on :3000; the admin token to sign in with is printed (ADMIN_BOOTSTRAP_TOKEN, made
 * up for this run unless set).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { UsageProducer } from '@tally/client';
import { Topics } from '@tally/budget-domain';
import { serviceNodeArgs } from '@tally/platform';
import type { AlertFired, BalanceChanged } from '@tally/budget-domain';

const SERVICES: Array<{ name: string; port: number }> = [
  { name: 'metering', port: 3003 },
  { name: 'ledger', port: 3001 },
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
const children: ChildProcess[] = [];

function startService(name: string, port: number): ChildProcess {
  const child = spawn(process.execPath, serviceNodeArgs(name), {
    env: {
      ...process.env,
      PORT: String(port),
      ...(name === 'admin' ? { ADMIN_BOOTSTRAP_TOKEN: adminToken } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  const print = (chunk: Buffer) =>
    process.stdout.write(chunk.toString('utf8').replace(/^(?=.)/gm, prefix));
  child.stdout?.on('data', print);
  child.stderr?.on('data', print);
  child.once('exit', (code, signal) => console.log(`${prefix}exited (${code ?? signal})`));
  children.push(child);
  return child;
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
  const consumer = new Kafka({
    clientId: 'tally-demo',
    brokers,
    logLevel: logLevel.ERROR,
  }).consumer({
    groupId: `tally-demo-watch-${Date.now()}`,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: [Topics.LedgerBalanceChanged, Topics.AlertsFired],
    fromBeginning: false,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === Topics.AlertsFired) {
        const alert = JSON.parse(message.value?.toString('utf8') ?? '{}') as AlertFired;
        console.log(`[alert] ${alert.state} ${alert.kind}: ${alert.message}`);
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
  const producer = await UsageProducer.connect({ brokers, source: 'tally-demo' });
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
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
main().catch((error: unknown) => {
  console.error(error);
  shutdown();
  process.exitCode = 1;
});
