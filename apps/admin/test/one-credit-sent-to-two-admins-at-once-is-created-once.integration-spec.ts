import type { INestApplication } from '@nestjs/common';
import { eventually } from '@tally/testing';
import { AdminHarness, BOOTSTRAP_TOKEN } from './admin.harness';

interface Credit {
  transaction_id: string;
  kind: string;
  amount: string;
  posted_at: string;
}

/**
 * Two admin instances behind a load balancer; a client whose first try timed out at the
 * balancer sends the same credit again, and the two arrive at once, one at each instance. The
 * ledger posts it once; of the two answers, exactly one says it created the credit (201) and
 * the other that it was there (200), whichever instance's command the ledger took first.
 */
describe('one credit request sent to two admin instances at once', () => {
  const harness = new AdminHarness();
  const account = 'acct_twin_credit';
  let second: INestApplication;

  const grant = async (base: string, key: string) => {
    const response = await fetch(`${base}/v1/accounts/${account}/credits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        amount: '2.50',
        kind: 'bonus',
        reason: 'twins',
        idempotency_key: key,
      }),
    });
    return { status: response.status, body: (await response.json()) as Credit };
  };

  beforeAll(async () => {
    await harness.start();
    second = await harness.admin.startInstance();
    const created = await harness.call('POST', '/v1/accounts', {
      body: { account_id: account, name: 'Twin Credit' },
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => harness.stop());

  it('posts 20 racing pairs as 20 credits of 2.50, each answered 201 once and 200 once', async () => {
    const urls = [harness.url, harness.admin.urlOf(second)];
    const outcomes: string[] = [];
    for (let pair = 0; pair < 20; pair += 1) {
      const answers = await Promise.all(urls.map((url) => grant(url, `twin-${pair}`)));
      expect(new Set(answers.map((answer) => answer.body.transaction_id)).size).toBe(1);
      outcomes.push(
        `${pair}: ${answers
          .map((answer) => answer.status)
          .sort()
          .join(' ')}`,
      );
    }
    expect(outcomes).toEqual(Array.from({ length: 20 }, (_, pair) => `${pair}: 200 201`));
    await eventually(async () => {
      const listed = await harness.call<{ items: Credit[] }>(
        'GET',
        `/v1/accounts/${account}/transactions?limit=100`,
      );
      const bonuses = listed.body.items.filter((item) => item.kind === 'bonus');
      expect(bonuses.map((item) => item.amount)).toEqual(Array(20).fill('2.500000'));
    });
  });
});
