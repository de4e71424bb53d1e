import type { BalanceChanged } from '@tally/budget-domain';
import { eventually, queryDatabase } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { LedgerHarness } from './ledger.harness';

const payment = (id: string, kind: string, credit: string, account = 'acct_pay') => ({
  schema_version: 1,
  id,
  account_id: account,
  kind,
  trigger: 'manual',
  credit_amount: credit,
  paid_amount: '30.00',
  paid_currency: 'CHF',
  stripe_ref: `cs_test_${id}`,
  at: new Date().toISOString(),
});

describe('payments.events on the ledger', () => {
  const ledger = new LedgerHarness();
  let balances: TopicRecorder;
  const latest = (account: string) =>
    balances
      .json<BalanceChanged>()
      .filter((b) => b.account_id === account)
      .pop();

  beforeAll(async () => {
    await ledger.start();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
  });
  afterAll(() => ledger.stop());

  it('credits a purchase once whatever the redeliveries, moves nothing for a failed one, and takes back a refund', async () => {
    const topic = ledger.topic('payments.events');
    await ledger.kafka.produceJson(topic, 'acct_pay', [
      payment('pay_1', 'credit_purchased', '10.00'),
      payment('pay_1', 'credit_purchased', '10.00'),
    ]);
    await ledger.kafka.produceJson(topic, 'acct_pay', [
      payment('pay_1', 'credit_purchased', '10.00'),
      payment('pay_2', 'credit_failed', '0'),
    ]);
    await ledger.kafka.produceJson(topic, 'acct_pay', [
      payment('pay_3', 'credit_purchased', '10.00'),
    ]);
    await eventually(() => expect(latest('acct_pay')?.extra_credit_remaining).toBe('20.000000'));
    await ledger.kafka.produceJson(topic, 'acct_pay', [
      payment('pay_4', 'credit_refunded', '10.00'),
    ]);
    await eventually(() => expect(latest('acct_pay')?.extra_credit_remaining).toBe('10.000000'));
    const rows = await queryDatabase<{ kind: string; count: number }>(
      ledger.isolation.databaseUrl,
      `SELECT kind, count(*)::int AS count FROM "${ledger.isolation.schema('ledger')}".transactions WHERE account_id = 'acct_pay' GROUP BY kind ORDER BY kind`,
    );
    expect(rows).toEqual([
      { kind: 'purchase', count: 2 },
      { kind: 'purchase_refund', count: 1 },
    ]);
    const [opened] = await queryDatabase<{ opened_by: string }>(
      ledger.isolation.databaseUrl,
      `SELECT opened_by FROM "${ledger.isolation.schema('ledger')}".accounts WHERE account_id = 'acct_pay'`,
    );
    expect(opened).toEqual({ opened_by: 'payment' });
  });

  it('credits a payment spelled exactly as DESIGN 3.4 gives it, without schema_version', async () => {
    const { schema_version: _version, ...spelled } = payment(
      'pay_design',
      'credit_purchased',
      '5.00',
      'acct_pay_design',
    );
    await ledger.kafka.produceJson(ledger.topic('payments.events'), 'acct_pay_design', [spelled]);
    await eventually(() =>
      expect(latest('acct_pay_design')?.extra_credit_remaining).toBe('5.000000'),
    );
  });

  it('dead-letters a payment with a JSON number as amount instead of guessing', async () => {
    const deadLetters = await ledger.kafka.record(ledger.topic('usage.dead-letter'));
    await ledger.kafka.produceJson(ledger.topic('payments.events'), 'acct_pay', [
      { ...payment('pay_bad', 'credit_purchased', '1'), credit_amount: 10 },
    ]);
    const [record] = await deadLetters.waitForCount<{
      reason: string;
      error: string;
      service: string;
    }>(1);
    expect(record).toMatchObject({ reason: 'schema_violation', service: 'ledger' });
    expect(record!.error).toContain('credit_amount');
  });
});
