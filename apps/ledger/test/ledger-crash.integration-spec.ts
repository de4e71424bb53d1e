import { Decimal } from 'decimal.js';
import type { LedgerTransaction } from '@tally/budget-domain';
import { ServiceHarness, eventually, queryDatabase, usageRated } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';

const ACCOUNTS = 50;
const EVENTS = 10_000;

describe('ledger under a crash', () => {
  const harness = new ServiceHarness();
  let transactions: TopicRecorder;
  const schema = () => harness.isolation.schema('ledger');
  const posted = async () =>
    (
      await queryDatabase<{ count: number }>(
        harness.isolation.databaseUrl,
        `SELECT count(*)::int AS count FROM "${schema()}".usage_lines`,
      )
    )[0]!.count;

  beforeAll(async () => {
    await harness.start('ledger');
    transactions = await harness.kafka.record(harness.topic('ledger.transactions'));
  });
  afterAll(() => harness.stop());

  it('SIGKILL mid-stream and restart: balances exact, every event posted once, reconciliation clean', async () => {
    const events = Array.from({ length: EVENTS }, (_, i) =>
      usageRated(
        `acct_${i % ACCOUNTS}`,
        new Decimal(i % 97).plus('0.000123').dividedBy(1000).toFixed(9),
      ),
    );
    const expected = new Map<string, Decimal>();
    for (const event of events) {
      const account = event['account_id'] as string;
      expected.set(
        account,
        (expected.get(account) ?? new Decimal(0)).plus(event['cost'] as string),
      );
    }
    const producing = (async () => {
      for (let start = 0; start < events.length; start += 500) {
        const chunk = events.slice(start, start + 500);
        await harness.kafka.produce(
          harness.topic('usage.rated'),
          chunk.map((event) => ({
            key: event['account_id'] as string,
            value: JSON.stringify(event),
          })),
        );
      }
    })();
    await eventually(async () => expect(await posted()).toBeGreaterThan(1_500), 120_000, 50);
    await harness.running('ledger')[0]!.kill();
    expect(await posted()).toBeLessThan(EVENTS);
    await producing;
    await harness.startService('ledger');

    await eventually(async () => expect(await posted()).toBe(EVENTS), 120_000, 250);
    const revenue = await queryDatabase<{ account_id: string; balance: string }>(
      harness.isolation.databaseUrl,
      `SELECT account_id, balance::text AS balance FROM "${schema()}".ledger_accounts WHERE code = 'revenue' ORDER BY account_id`,
    );
    expect(revenue).toHaveLength(ACCOUNTS);
    for (const row of revenue)
      expect(new Decimal(row.balance).equals(expected.get(row.account_id)!)).toBe(true);
    const [check] = await queryDatabase<{ total: string; mismatched: number }>(
      harness.isolation.databaseUrl,
      `SELECT (SELECT sum(amount)::text FROM "${schema()}".postings) AS total,
              (SELECT count(*)::int FROM "${schema()}".ledger_accounts l
                 LEFT JOIN (SELECT account_id, ledger_code, sum(amount) AS s FROM "${schema()}".postings GROUP BY 1, 2) p
                 ON p.account_id = l.account_id AND p.ledger_code = l.code
               WHERE l.balance <> coalesce(p.s, 0)) AS mismatched`,
    );
    expect(check).toEqual({ total: '0.000000000000', mismatched: 0 });
    // Usage is announced one transaction per account per slice, with a line per event: every
    // event once, in exactly one announced line.
    const announcedLines = () =>
      transactions.json<LedgerTransaction>().flatMap((transaction) => transaction.lines ?? []);
    await eventually(() => expect(announcedLines()).toHaveLength(EVENTS), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(announcedLines()).toHaveLength(EVENTS);
    expect(new Set(announcedLines().map((line) => line.usage_id)).size).toBe(EVENTS);
  });
});
