import { awayFromUtcMidnight, eventually, usageRated } from '@tally/testing';
import { AdminHarness } from './admin.harness';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
type Item = Record<string, unknown>;
interface Status {
  used: string;
  period: { start: string; end: string };
}

/**
 * The lead "late usage periods: admin vs ledger", measured with both services on the real broker
 * and database. The ledger counts usage in the period it is posted in (DESIGN 4 `used`, ADR 0044);
 * admin's usage rows are the UTC day it occurred on (ADR 0034). So the last millisecond of the
 * previous month, arriving now, is this period's `used` at the ledger and the previous month's
 * last day in admin, and the first millisecond of the period is this period's in both. Nothing is
 * lost or counted twice: the two days together are what the ledger says was used.
 */
describe('usage that arrives after its month: its day in admin, its posting period at the ledger', () => {
  const harness = new AdminHarness();
  const account = 'acct_late_month';

  const budgetStatus = async () => {
    const answer = await harness.call<Status>('GET', `/v1/accounts/${account}/budget-status`);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const usage = async (query: string) => {
    const answer = await harness.call<Page<Item>>('GET', `/v1/accounts/${account}/usage?${query}`);
    expect(answer.status).toBe(200);
    return answer.body.items;
  };

  beforeAll(async () => {
    await awayFromUtcMidnight();
    await harness.start();
    expect(
      (
        await harness.call('POST', '/v1/accounts', {
          body: { account_id: account, name: 'Late Month' },
        })
      ).status,
    ).toBe(201);
    const budget = await harness.call('PUT', `/v1/accounts/${account}/budget`, {
      body: { period: 'monthly', reset_day: 1, limit: '100.00', hard_limit: false },
    });
    expect(budget.status).toBe(200);
  });
  afterAll(() => harness.stop());

  it('23:59:59.999 of the last month is its last day in admin and this period at the ledger; 00:00:00.000 is this period in both', async () => {
    const { period } = await budgetStatus();
    const start = new Date(period.start);
    const lastMillisecondBefore = new Date(start.getTime() - 1);
    const lastDayBefore = lastMillisecondBefore.toISOString().slice(0, 10);
    const firstDay = period.start.slice(0, 10);
    // The same instant as the last millisecond before, written two hours ahead of UTC.
    const withOffset = `${firstDay}T01:59:59.999+02:00`;
    expect(new Date(withOffset).getTime()).toBe(lastMillisecondBefore.getTime());

    await harness.admin.kafka.produceJson(harness.topic('usage.rated'), account, [
      usageRated(account, '2.500000', { occurred_at: lastMillisecondBefore.toISOString() }),
      usageRated(account, '0.750000', { occurred_at: withOffset }),
      usageRated(account, '1.250000', { occurred_at: start.toISOString() }),
    ]);

    // The ledger: all three posted now, in this period.
    await eventually(async () => expect((await budgetStatus()).used).toBe('4.500000'));

    // Admin: each on the UTC day it occurred, the offset one included.
    await eventually(async () =>
      expect(await usage('group_by=day')).toEqual([
        { day: lastDayBefore, cost: '3.250000', tokens: 2000, requests: 2 },
        { day: firstDay, cost: '1.250000', tokens: 1000, requests: 1 },
      ]),
    );
    const [inPeriod] = await usage(`group_by=&from=${period.start}&to=${period.end}`);
    expect(inPeriod).toEqual({ cost: '1.250000', tokens: 1000, requests: 1 });
    const [withTheDayBefore] = await usage(`group_by=&from=${lastDayBefore}&to=${period.end}`);
    expect(withTheDayBefore).toEqual({ cost: '4.500000', tokens: 3000, requests: 3 });
  });
});
