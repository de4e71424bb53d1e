import { execFileSync } from 'node:child_process';
import { Socket } from 'node:net';
import { DEFAULT_DATABASE_URL } from '@tally/persistence';

/** Where the tests' real Kafka broker and PostgreSQL server are. */
export interface TestInfrastructure {
  readonly kafkaBrokers: string[];
  readonly databaseUrl: string;
  readonly source: 'testcontainers' | 'environment';
  stop(): Promise<void>;
}

const START_KAFKA = 'bash infra/kafka/kafka.sh start';
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/**
 * Real Kafka and PostgreSQL for integration tests: containers when a Docker engine answers,
 * otherwise the broker and database named by KAFKA_BROKERS / DATABASE_URL (defaults: the
 * local broker from infra/kafka and PostgreSQL on 127.0.0.1:5432). Never a fake.
 */
export async function startTestInfrastructure(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestInfrastructure> {
  if (!env['KAFKA_BROKERS'] && !env['DATABASE_URL'] && dockerAnswers()) {
    return startContainers();
  }
  const kafkaBrokers = (env['KAFKA_BROKERS'] || '127.0.0.1:9092').split(',');
  const databaseUrl = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  await assertReachable('Kafka', kafkaBrokers[0]!, START_KAFKA);
  const database = new URL(databaseUrl);
  await assertReachable(
    'PostgreSQL',
    `${database.hostname}:${database.port || 5432}`,
    START_POSTGRES,
  );
  return { kafkaBrokers, databaseUrl, source: 'environment', stop: async () => undefined };
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      stdio: 'ignore',
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<TestInfrastructure> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.7.1').withKraft().start(),
    new PostgreSqlContainer('postgres:15-alpine').start(),
  ]);
  return {
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    databaseUrl: postgres.getConnectionUri(),
    source: 'testcontainers',
    stop: async () => {
      await Promise.all([kafka.stop(), postgres.stop()]);
    },
  };
}

async function assertReachable(
  what: string,
  hostPort: string,
  startCommand: string,
): Promise<void> {
  const [host, port] = hostPort.split(':');
  const socket = new Socket();
  const reachable = await new Promise<boolean>((resolve) => {
    socket.setTimeout(2000);
    socket.once('connect', () => resolve(true));
    socket.once('timeout', () => resolve(false));
    socket.once('error', () => resolve(false));
    socket.connect(Number(port), host!);
  }).finally(() => socket.destroy());
  if (!reachable) {
    throw new Error(
      `${what} is not reachable at ${hostPort}. Integration tests need the real one: start it with \`${startCommand}\`, ` +
        `or point ${what === 'Kafka' ? 'KAFKA_BROKERS' : 'DATABASE_URL'} at a running one (or run a Docker engine for testcontainers).`,
    );
  }
}
