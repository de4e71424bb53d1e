import type { DeadLetterRecord } from '@tally/budget-domain';
import { eventually } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { AdminHarness } from './admin.harness';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
type Item = Record<string, unknown>;

/**
 * Records admin's schemas let through but PostgreSQL refuses (a NUL in text, an integer beyond
 * its column) rolled back every slice holding them, for good: nothing behind them on their
 * partition was projected. Each must be dead-lettered by admin, and the record behind it
 * projected.
 */
describe('records admin could not store are dead-lettered, never stall its projections', () => {
  const harness = new AdminHarness({}, []);
  let deadLetters: TopicRecorder;
  const produce = (topic: string, key: string, payloads: unknown[]) =>
    harness.admin.kafka.produceJson(harness.topic(topic), key, payloads);
  const get = async <T = Item>(route: string) => {
    const answer = await harness.call<T>('GET', route);
    expect([route, answer.status]).toEqual([route, 200]);
    return answer.body;
  };
  /** The reason and the field of each dead letter admin wrote of the key's records on `topic`. */
  const refusalsOf = (topic: string, key: string, count: number) =>
    eventually(() => {
      const found = deadLetters
        .json<DeadLetterRecord>()
        .filter(
          (record) =>
            record.service === 'admin' &&
            record.source_topic === harness.topic(topic) &&
            record.key === key,
        )
        .map((record) => [record.reason, record.error.split(':')[0]]);
      if (found.length < count) throw new Error(`${found.length} of ${count} dead letters`);
      return found;
    }, 60_000);

  beforeAll(async () => {
    await harness.start();
    deadLetters = await harness.admin.kafka.record(harness.topic('usage.dead-letter'));
  });
  afterAll(() => harness.stop());

  it('dead-letters an alert resolving an id with a NUL, lists one whose message has a NUL with U+FFFD, and the alert behind them', async () => {
    const account = 'acct_alert_nul';
    const alert = (id: string, overrides: Item = {}) => ({
      schema_version: 1,
      id,
      account_id: account,
      api_key_id: null,
      kind: 'threshold',
      state: 'fired',
      level: 'RED',
      percent: 91,
      period_start: null,
      message: `account ${account}: 91 % spent`,
      at: new Date().toISOString(),
      ...overrides,
    });
    await produce('alerts.fired', account, [
      alert('al_nul_resolves', { state: 'resolved', resolves: 'al\u0000' }),
      alert('al_nul_message', { message: 'spent\u0000' }),
      alert('al_good'),
    ]);
    expect(await refusalsOf('alerts.fired', account, 1)).toEqual([
      ['schema_violation', 'resolves'],
    ]);
    const listed = await eventually(async () => {
      const items = (await get<Page<Item>>(`/v1/accounts/${account}/alerts`)).items;
      expect(items).toHaveLength(2);
      return items;
    });
    expect(listed.map((item) => [item['alert_id'], item['message']])).toEqual(
      expect.arrayContaining([
        ['al_nul_message', 'spent\uFFFD'],
        ['al_good', `account ${account}: 91 % spent`],
      ]),
    );
  });

  it('dead-letters a transaction whose amounts overflow the sums admin adds them to, and lists the one behind it', async () => {
    const account = 'acct_transaction_huge';
    const now = new Date().toISOString();
    const transaction = (id: string, charged: string) => ({
      schema_version: 1,
      transaction_id: id,
      account_id: account,
      kind: 'usage',
      source_id: `src_${id}`,
      occurred_at: now,
      posted_at: now,
      postings: [
        { ledger_account: 'overage', amount: `-${charged}` },
        { ledger_account: 'revenue', amount: charged },
      ],
      details: {},
      lines: [
        {
          usage_id: `u_${id}`,
          source: 'gw',
          api_key_id: null,
          service: 'llm',
          provider: 'openai',
          model: 'gpt-4o',
          occurred_at: now,
          cost: charged,
          markup: '0',
          discount: '0',
          charged,
          reservation_id: null,
          funding: { allowance: '0', credit: '0', overage: charged },
        },
      ],
    });
    await produce('ledger.transactions', account, [
      transaction('tx_huge', '99999999999999999999999999.5'),
      transaction('tx_huge_too', '99999999999999999999999999.5'),
      transaction('tx_good', '2.500000'),
    ]);
    expect(await refusalsOf('ledger.transactions', account, 2)).toEqual([
      ['schema_violation', 'postings.0.amount'],
      ['schema_violation', 'postings.0.amount'],
    ]);
    await eventually(async () =>
      expect(
        (await get<Page<Item>>(`/v1/accounts/${account}/transactions`)).items.map((item) => [
          item['transaction_id'],
          item['amount'],
        ]),
      ).toEqual([['tx_good', '-2.500000']]),
    );
  });

  it('dead-letters dead letters it could not store, and lists the one behind them', async () => {
    const key = 'acct_dead_letter_bad';
    const deadLetter = (offset: number, overrides: Item = {}) => ({
      schema_version: 1,
      source_topic: 'usage.events',
      partition: 1,
      offset: String(offset),
      key,
      key_base64: null,
      value: 'eyBub3QganNvbg==',
      truncated: false,
      reason: 'invalid_json',
      error: `error of ${offset}`,
      service: 'metering-elsewhere',
      at: '2026-11-25T10:00:00.000Z',
      ...overrides,
    });
    await produce('usage.dead-letter', key, [
      deadLetter(1, { source_topic: 'usage.events\u0000' }),
      deadLetter(2, { service: 'metering\u0000' }),
      deadLetter(3, { key: 'acct\u0000' }),
      deadLetter(4, { partition: 2 ** 31 }),
      deadLetter(5, { offset: '9223372036854775808' }),
      deadLetter(6, { value: 'eyB\u0000' }),
      deadLetter(7),
    ]);
    expect(await refusalsOf('usage.dead-letter', key, 6)).toEqual([
      ['schema_violation', 'source_topic'],
      ['schema_violation', 'service'],
      ['schema_violation', 'key'],
      ['schema_violation', 'partition'],
      ['schema_violation', 'offset'],
      ['schema_violation', 'value'],
    ]);
    await eventually(async () =>
      expect(
        (await get<Page<Item>>('/v1/dead-letters?service=metering-elsewhere')).items.map(
          (item) => item['offset'],
        ),
      ).toEqual(['7']),
    );
  });
});
