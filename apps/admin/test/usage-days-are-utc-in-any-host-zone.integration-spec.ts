import { randomUUID } from 'node:crypto';
import { ServiceHarness, eventually, usageRated } from '@tally/testing';
import { BOOTSTRAP_TOKEN } from './admin.harness';

type Item = Record<string, unknown>;

/**
 * Admin as its own process on a host whose zone is not UTC. Timestamps on the wire are UTC
 * (DESIGN 2), so a usage event's day must not depend on the zone admin happens to run in.
 */
describe('usage days are UTC days whatever the host zone admin runs in', () => {
  const platform = new ServiceHarness(undefined, {
    ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    TZ: 'America/New_York',
  });
  let url: string;

  const usage = async (query: string) => {
    const response = await fetch(`${url}/v1/accounts/acct_rev_tz/usage?${query}`, {
      headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Item[] }).items;
  };

  beforeAll(async () => {
    await platform.start('admin');
    const [admin] = platform.running('admin');
    if (!admin) throw new Error('admin did not start');
    url = `http://127.0.0.1:${admin.port}`;
  });
  afterAll(() => platform.stop());

  it('counts an event at 23:30 written without an offset on that UTC day', async () => {
    const account = 'acct_rev_tz';
    // 23:30 UTC on 1 December; read in the host's zone it would be 04:30 UTC on the 2nd.
    const occurredAt = '2026-12-01T23:30:00';
    await platform.kafka.produceJson(platform.topic('usage.rated'), account, [
      usageRated(account, '0.400000', {
        occurred_at: occurredAt,
        model: 'gpt-4o',
        quantities: { input_tokens: 300, output_tokens: 100 },
      }),
    ]);
    const now = new Date().toISOString();
    await platform.kafka.produceJson(platform.topic('ledger.transactions'), account, [
      {
        schema_version: 1,
        transaction_id: randomUUID(),
        account_id: account,
        kind: 'usage',
        source_id: randomUUID(),
        occurred_at: occurredAt,
        posted_at: now,
        postings: [
          { ledger_account: 'overage', amount: '-0.440000' },
          { ledger_account: 'revenue', amount: '0.440000' },
        ],
        details: { lines: 1 },
        lines: [
          {
            usage_id: 'req_tz',
            source: 'gateway-test',
            api_key_id: 'key_test',
            service: 'llm',
            provider: 'openai',
            model: 'gpt-4o',
            occurred_at: occurredAt,
            tokens: 400,
            cost: '0.400000',
            markup: '0.040000',
            discount: '0.000000',
            charged: '0.440000',
            reservation_id: null,
            funding: { allowance: '0.000000', credit: '0.000000', overage: '0.440000' },
          },
        ],
      },
    ]);
    await eventually(async () =>
      expect(await usage('group_by=')).toEqual([{ cost: '0.440000', tokens: 400, requests: 1 }]),
    );
    expect(await usage('group_by=day')).toEqual([
      { day: '2026-12-01', cost: '0.440000', tokens: 400, requests: 1 },
    ]);
  });
});
