import { ServiceHarness } from '@tally/testing';

const BOOTSTRAP_TOKEN = 'bootstrap-token-for-the-crash-test-0123456789';
const SESSION_TIMEOUT_MS = 8_000;

/**
 * KAFKA_SESSION_TIMEOUT_MS is how soon a crashed instance's partitions move to the others
 * (README). Admin's command replies come back on partitions of its reply group: until the
 * crashed instance's leave the group, the instance that replaces it cannot start, and every
 * other one's commands wait.
 */
describe('a crashed admin is replaced within the session timeout', () => {
  const platform = new ServiceHarness(undefined, {
    ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
  });

  beforeAll(() => platform.start('ledger', 'admin'), 120_000);
  afterAll(() => platform.stop());

  it('a new instance answers a command within the session timeout of the kill, not kafkajs’s 30 s', async () => {
    const [crashed] = platform.running('admin');
    await crashed!.kill();
    const killedAt = Date.now();
    const replacement = await platform.startService('admin');
    const created = await fetch(`http://127.0.0.1:${replacement.port}/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: 'acct_after_crash', name: 'After the crash' }),
    });
    expect(created.status).toBe(201);
    // The session timeout, and the time a start and a rebalance take on a loaded machine.
    expect(Date.now() - killedAt).toBeLessThan(SESSION_TIMEOUT_MS + 12_000);
  });
});
