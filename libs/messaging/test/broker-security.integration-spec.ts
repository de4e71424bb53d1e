import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Controller, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { createServiceApp } from '@tally/platform';
import { CommandClient } from '@tally/testing';
import { connectCommandServer, kafkaClientConfig } from '../src';
import type { KafkaConfig, KafkaSasl } from '../src';

const run = promisify(execFile);
const repository = join(__dirname, '..', '..', '..');

@Controller()
class AccountsController {
  @MessagePattern('ledger.create-account')
  create(@Payload() payload: { account_id: string }) {
    return { account_id: payload.account_id, created: true };
  }
}

@Module({ controllers: [AccountsController] })
class AccountsModule {}

/** Two ports nothing listens on (the shared broker's 9092/9093 are never touched). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The kafkajs error type of a failure, looking through the errors kafkajs wraps. */
function errorTypeOf(error: unknown): string {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 5;) {
    chain.push(current);
    current =
      (current as { originalError?: unknown }).originalError ??
      (current as { cause?: unknown }).cause;
  }
  const typed = chain.find((link) => typeof (link as { type?: unknown }).type === 'string');
  if (typed) return (typed as { type: string }).type;
  const message = String((error as Error).message ?? error);
  return /Topic authorization failed/.test(message) ? 'TOPIC_AUTHORIZATION_FAILED' : message;
}

describe('the broker in secure mode: SASL/SCRAM-SHA-512 and the ACLs of infra/kafka/acls.txt', () => {
  const data = mkdtempSync(join(tmpdir(), 'tally-kafka-sasl-'));
  let env: NodeJS.ProcessEnv;
  let brokers: string[];
  let passwords: Record<string, string>;
  const clients: Array<{ disconnect(): Promise<void> }> = [];
  let app: INestApplication | undefined;
  let commands: CommandClient | undefined;

  const principal = (username: string): KafkaSasl => ({
    mechanism: 'scram-sha-512',
    username,
    password: passwords[username]!,
  });
  const kafkaAs = (sasl?: KafkaSasl) =>
    new Kafka({
      ...kafkaClientConfig(
        { brokers, ...(sasl ? { sasl } : {}) },
        `secure-test-${sasl?.username ?? 'anonymous'}`,
      ),
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100 },
      connectionTimeout: 3000,
    });
  const produceAs = async (username: string, topic: string) => {
    const producer = kafkaAs(principal(username)).producer();
    clients.push(producer);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'acct_1', value: '{}' }] });
  };

  beforeAll(async () => {
    const [port, controllerPort] = await freePorts(2);
    brokers = [`127.0.0.1:${port}`];
    env = {
      ...process.env,
      KAFKA_SASL: '1',
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      TALLY_KAFKA_DATA: data,
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
      KAFKA_SASL_PASSWORD_ADMIN: 'admin-password-for-this-test',
    };
    await run('bash', ['infra/kafka/kafka.sh', 'start'], { cwd: repository, env });
    passwords = Object.fromEntries(
      readFileSync(join(data, 'sasl-users.env'), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('KAFKA_SASL_PASSWORD_'))
        .map((line) => {
          const [name, value] = line.split('=') as [string, string];
          return [name.replace('KAFKA_SASL_PASSWORD_', '').toLowerCase(), value];
        }),
    );
    // The services create their topics, each with its own principal (ensureTopics at start).
    const ledgerAdmin = kafkaAs(principal('ledger')).admin();
    const topupAdmin = kafkaAs(principal('topup')).admin();
    clients.push(ledgerAdmin, topupAdmin);
    await ledgerAdmin.connect();
    await ledgerAdmin.createTopics({
      topics: [
        'ledger.create-account',
        'ledger.create-account.reply',
        'ledger.balance-changed',
      ].map((topic) => ({ topic, numPartitions: 1 })),
    });
    await topupAdmin.connect();
    await topupAdmin.createTopics({ topics: [{ topic: 'payments.events', numPartitions: 1 }] });
  }, 90_000);

  afterAll(async () => {
    await commands?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await Promise.all(clients.map((client) => client.disconnect().catch(() => undefined)));
    await run('bash', ['infra/kafka/kafka.sh', 'stop'], { cwd: repository, env }).catch(
      () => undefined,
    );
    rmSync(data, { recursive: true, force: true });
  }, 60_000);

  it('refuses a client without credentials, and one with a wrong password', async () => {
    const anonymous = kafkaAs().admin();
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow();
    await anonymous.disconnect().catch(() => undefined);
    const wrong = kafkaAs({
      mechanism: 'scram-sha-512',
      username: 'admin',
      password: 'not-it',
    }).admin();
    await expect(wrong.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });

  it('lets only admin write a command topic: topup and the ledger itself get TOPIC_AUTHORIZATION_FAILED', async () => {
    await expect(produceAs('admin', 'ledger.create-account')).resolves.toBeUndefined();
    for (const username of ['topup', 'ledger', 'gateway']) {
      const refused = await produceAs(username, 'ledger.create-account').then(
        () => 'produced',
        (error: unknown) => errorTypeOf(error),
      );
      expect({ username, refused }).toEqual({ username, refused: 'TOPIC_AUTHORIZATION_FAILED' });
    }
  });

  it('keeps admin from forging facts: payments.events and ledger.balance-changed refuse it', async () => {
    for (const topic of ['payments.events', 'ledger.balance-changed']) {
      const refused = await produceAs('admin', topic).then(
        () => 'produced',
        (error: unknown) => errorTypeOf(error),
      );
      expect({ topic, refused }).toEqual({ topic, refused: 'TOPIC_AUTHORIZATION_FAILED' });
    }
    await expect(produceAs('topup', 'payments.events')).resolves.toBeUndefined();
  });

  it('carries a command from admin to the ledger and its reply back, each with its own principal; topup cannot see the reply', async () => {
    const ledgerKafka: KafkaConfig = {
      brokers,
      clientId: 'tally-ledger',
      topicSuffix: '',
      partitions: 1,
      sessionTimeoutMs: 10_000,
      sasl: principal('ledger'),
    };
    app = await createServiceApp(AccountsModule, ['error']);
    await app.init();
    connectCommandServer(app, ledgerKafka, 'ledger-commands');
    await app.startAllMicroservices();
    commands = await new CommandClient(brokers, '', ['ledger.create-account'], {
      sasl: principal('admin'),
      groupId: 'admin-secure-test',
    }).connect();
    expect(await commands.send('ledger.create-account', { account_id: 'acct_secure' })).toEqual({
      account_id: 'acct_secure',
      created: true,
    });
    const topup = kafkaAs(principal('topup')).admin();
    clients.push(topup);
    await topup.connect();
    const refused = await topup
      .fetchTopicMetadata({ topics: ['ledger.create-account.reply'] })
      .then(
        () => 'described',
        (error: unknown) => errorTypeOf(error),
      );
    expect(refused).toBe('TOPIC_AUTHORIZATION_FAILED');
  });
});
