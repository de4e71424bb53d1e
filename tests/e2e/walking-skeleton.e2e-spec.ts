import type {
  BalanceChanged,
  DeadLetterRecord,
  LedgerTransaction,
  UsageRated,
} from '@tally/budget-domain';
import { ServiceHarness, eventually, queryDatabase, usageEvent } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';

/**
 * usage.events -> metering -> usage.rated -> ledger -> ledger.transactions and
 * ledger.balance-changed, with both services running as their own processes.
 */
describe('walking skeleton: a usage event becomes a posted transaction and a balance change', () => {
  const platform = new ServiceHarness();
  const account = 'acct_skeleton';
  let rated: TopicRecorder;
  let transactions: TopicRecorder;
  let balances: TopicRecorder;
  let deadLetters: TopicRecorder;

  beforeAll(async () => {
    await platform.start('metering', 'ledger');
    rated = await platform.kafka.record(platform.topic('usage.rated'));
    transactions = await platform.kafka.record(platform.topic('ledger.transactions'));
    balances = await platform.kafka.record(platform.topic('ledger.balance-changed'));
    deadLetters = await platform.kafka.record(platform.topic('usage.dead-letter'));
  });

  afterAll(() => platform.stop());

  const produce = (events: unknown[]) =>
    platform.kafka.produceJson(platform.topic('usage.events'), account, events);
  const latestBalance = () => {
    const mine = balances
      .json<BalanceChanged>()
      .filter((balance) => balance.account_id === account);
    return mine[mine.length - 1];
  };
  const usageTransactions = () =>
    transactions
      .json<LedgerTransaction>()
      .filter((t) => t.account_id === account && t.kind === 'usage');

  it('rates, posts and announces one event with exact amounts', async () => {
    const event = usageEvent({
      subject: account,
      data: { model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 500 },
    });
    await produce([event]);

    const [usage] = await rated.waitForCount<UsageRated>(1, 60_000);
    expect(usage).toMatchObject({
      id: event.id,
      account_id: account,
      cost: '0.000450',
      currency: 'USD',
    });

    const [transaction] = await transactions.waitForCount<LedgerTransaction>(1);
    expect(transaction).toMatchObject({
      account_id: account,
      kind: 'usage',
      source_id: JSON.stringify([event.source, event.id]),
    });
    // No allowance and no credit yet: the usage is owed (overage) and earned (revenue).
    expect(transaction!.postings).toEqual([
      { ledger_account: 'overage', amount: '-0.000450' },
      { ledger_account: 'revenue', amount: '0.000450' },
    ]);

    await eventually(() => expect(latestBalance()?.used).toBe('0.000450'));
    expect(latestBalance()).toMatchObject({
      account_id: account,
      used: '0.000450',
      overage: '0.000450',
      remaining: '0.000000',
      extra_credit_remaining: '0.000000',
      available: '0.000000',
      available_percent: 0,
      alert_level: 'CRITICAL',
      cause: { transaction_id: transaction!.transaction_id, kind: 'usage' },
    });
  });

  it('counts a duplicate once', async () => {
    const first = usageEvent({
      subject: account,
      data: { model: 'gpt-4o-mini', input_tokens: 2000, output_tokens: 0 },
    });
    await produce([first, first]);
    await produce([first]);
    await eventually(() => expect(latestBalance()?.used).toBe('0.000750'));
    // Later events prove the duplicates had their turn and changed nothing.
    const marker = usageEvent({
      subject: account,
      data: { model: 'gpt-4o-mini', input_tokens: 0, output_tokens: 1000 },
    });
    await produce([marker]);
    await eventually(() => expect(latestBalance()?.used).toBe('0.001350'));
    expect(usageTransactions()).toHaveLength(3);
  });

  it('keys every record of the account by its id, so its events stay ordered (DESIGN 2)', () => {
    for (const recorder of [rated, transactions, balances]) {
      expect([recorder.topic, new Set(recorder.messages.map((m) => m.key))]).toEqual([
        recorder.topic,
        new Set([account]),
      ]);
    }
  });

  it('dead-letters an invalid event with a reason while the next valid event still flows', async () => {
    await platform.kafka.produce(platform.topic('usage.events'), [
      { key: account, value: '{"specversion":"1.0"' },
    ]);
    const next = usageEvent({
      subject: account,
      data: { model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 0 },
    });
    await produce([next]);

    const [deadLetter] = await deadLetters.waitForCount<DeadLetterRecord>(1);
    expect(deadLetter).toMatchObject({ reason: 'invalid_json', key: account, service: 'metering' });
    expect(Buffer.from(deadLetter!.value!, 'base64').toString('utf8')).toBe('{"specversion":"1.0"');
    await eventually(() => expect(latestBalance()?.used).toBe('0.001500'));
  });

  it('keeps the books balanced: postings sum to zero and cached balances match them', async () => {
    const schema = platform.isolation.schema('ledger');
    const [totals] = await queryDatabase<{ total: string; transactions: string }>(
      platform.isolation.databaseUrl,
      `SELECT sum(amount)::text AS total, count(DISTINCT transaction_id)::text AS transactions FROM "${schema}".postings`,
    );
    expect(totals).toEqual({ total: '0.000000000000', transactions: '4' });
    const cached = await queryDatabase<{ code: string; balance: string }>(
      platform.isolation.databaseUrl,
      `SELECT code, balance::text AS balance FROM "${schema}".ledger_accounts WHERE account_id = $1 AND balance <> 0 ORDER BY code`,
      [account],
    );
    expect(cached).toEqual([
      { code: 'overage', balance: '-0.001500000000' },
      { code: 'revenue', balance: '0.001500000000' },
    ]);
  });
});
