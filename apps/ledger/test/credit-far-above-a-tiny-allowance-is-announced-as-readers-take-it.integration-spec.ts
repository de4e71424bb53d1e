import { parseBalanceChanged } from '@tally/budget-domain';
import type { BalanceChanged } from '@tally/budget-domain';
import { eventually } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { LedgerHarness } from './ledger.harness';

/**
 * available_percent is (remaining + credit) / allowance × 100: credit far above a tiny
 * allowance makes it larger than a JSON number holds exactly. Top-up, alerting and admin read
 * it as a safe integer; a record beyond that is dead-lettered by each of them, and with it every
 * balance change of the account (no auto top-up, no alert, a stale balance in admin).
 */
describe('credit far above a tiny allowance is announced as every reader takes it', () => {
  const ledger = new LedgerHarness();
  let commands: CommandClient;
  let balances: TopicRecorder;

  beforeAll(async () => {
    await ledger.start();
    commands = await ledger.commands();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
  });
  afterAll(() => ledger.stop());

  it('an allowance of 0.000000000001 with 1000 of credit announces available_percent 9007199254740991, which readers parse', async () => {
    const account = 'acct_tiny_allowance';
    await commands.send('ledger.create-account', { account_id: account, name: account });
    await commands.send('ledger.set-budget', {
      account_id: account,
      period: 'monthly',
      limit: '0.000000000001',
      hard_limit: false,
    });
    await commands.send('ledger.grant-credit', {
      account_id: account,
      amount: '1000',
      kind: 'grant',
      reason: 'tiny allowance',
      idempotency_key: 'tiny-allowance-grant',
    });
    const announced = await eventually(() => {
      const record = balances
        .json<BalanceChanged>()
        .find(
          (balance) =>
            balance.account_id === account && balance.extra_credit_remaining === '1000.000000',
        );
      if (!record) throw new Error('no balance with the credit yet');
      return record;
    });
    expect(announced.available_percent).toBe(Number.MAX_SAFE_INTEGER);
    const read = parseBalanceChanged(JSON.stringify(announced));
    expect(read.ok ? 'read' : read.error).toBe('read');
    expect(await commands.send('ledger.budget-status', { account_id: account })).toMatchObject({
      remaining: '0.000000000001',
      extra_credit_remaining: '1000.000000',
      available_percent: Number.MAX_SAFE_INTEGER,
      alert_level: 'GREEN',
    });
  });
});
