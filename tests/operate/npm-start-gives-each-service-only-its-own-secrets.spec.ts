import path from 'node:path';
import { ROOT } from './operate-files';

// infra/ is no Nx project to import from: its module is loaded as `npm start` loads it.
const { serviceEnv } = require(path.join(ROOT, 'infra/dev/service-env.ts')) as {
  serviceEnv: (name: string, env: NodeJS.ProcessEnv, own: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
};

/** What `npm start` (infra/run.sh) may be given: every service's secrets at once. */
const GIVEN: NodeJS.ProcessEnv = {
  PATH: '/usr/bin:/bin',
  DATABASE_URL: 'postgres://tally:db-pass@127.0.0.1:5432/tally',
  KAFKA_BROKERS: '127.0.0.1:9092',
  STRIPE_SECRET_KEY: 'sk_test_dev_secret_key',
  STRIPE_WEBHOOK_SECRET: 'whsec_dev_webhook_secret',
  ADMIN_BOOTSTRAP_TOKEN: 'dev-bootstrap-token-0123',
  ALERTING_SMTP_URL: 'smtp://alerts:smtp-pass@127.0.0.1:2525',
  KAFKA_SASL_PASSWORD_LEDGER: 'ledger-kafka-pass',
  KAFKA_SASL_PASSWORD_TOPUP: 'topup-kafka-pass',
};
const SECRETS: Record<string, string[]> = {
  STRIPE_SECRET_KEY: ['topup'],
  STRIPE_WEBHOOK_SECRET: ['topup'],
  ADMIN_BOOTSTRAP_TOKEN: ['admin'],
  ALERTING_SMTP_URL: ['alerting'],
};
const SERVICES = ['metering', 'ledger', 'topup', 'alerting', 'admin'];

describe('npm start (infra/dev/run.ts) gives each service only its own secrets', () => {
  it.each(Object.entries(SECRETS))('%s reaches %j only', (variable, services) => {
    const given = SERVICES.filter(
      (service) => serviceEnv(service, GIVEN, { PORT: '3000' })[variable] !== undefined,
    );
    expect(given).toEqual(services);
  });

  it('every service keeps the shared settings and its own values, never another principal’s password', () => {
    const ledger = serviceEnv('ledger', GIVEN, {
      PORT: '3001',
      KAFKA_SASL_PASSWORD: 'ledger-kafka-pass',
    });
    expect(ledger).toMatchObject({
      PATH: '/usr/bin:/bin',
      DATABASE_URL: GIVEN['DATABASE_URL'],
      KAFKA_BROKERS: '127.0.0.1:9092',
      PORT: '3001',
      KAFKA_SASL_PASSWORD: 'ledger-kafka-pass',
    });
    expect(Object.values(ledger)).not.toContain('topup-kafka-pass');
  });
});
