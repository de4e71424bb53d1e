import { ServiceHarness, eventually, queryDatabase, usageTransaction } from '@tally/testing';

/**
 * Alerting as its own process on a host whose zone is not UTC. A wire timestamp without an
 * offset is UTC (ADR 0071), so the hour a usage is rolled up in for the spend anomaly must not
 * depend on the zone alerting happens to run in.
 */
describe('usage hours are UTC hours whatever the host zone alerting runs in', () => {
  const platform = new ServiceHarness(undefined, { TZ: 'America/New_York' });
  const account = 'acct_alerting_tz';

  beforeAll(() => platform.start('alerting'));
  afterAll(() => platform.stop());

  it('rolls a usage written without an offset into its UTC hour, as one written with Z', async () => {
    const now = new Date();
    // The previous UTC hour at :30, written without an offset; read in New York's zone it is
    // five hours later (four in summer): an hour still to come, which makes the account's
    // usage of the hours before it late, never assessed for an anomaly.
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 3_600_000);
    const occurredAt = new Date(hour.getTime() + 30 * 60_000).toISOString().slice(0, 19);
    await platform.kafka.produceJson(platform.topic('ledger.transactions'), account, [
      usageTransaction(account, [
        { charged: '0.400000', occurred_at: occurredAt },
        { charged: '0.100000', occurred_at: `${occurredAt}Z` },
      ]),
    ]);
    const rollups = await eventually(async () => {
      const rows = await queryDatabase<{ hour: string; cost: string; events: number }>(
        platform.isolation.databaseUrl,
        `SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS hour,
                cost::text AS cost, events::int AS events
         FROM "${platform.isolation.schema('alerting')}".usage_rollups WHERE account_id = $1
         ORDER BY hour`,
        [account],
      );
      expect(rows.reduce((sum, row) => sum + row.events, 0)).toBe(2);
      return rows;
    });
    expect(rollups).toEqual([
      { hour: hour.toISOString().slice(0, 19), cost: '0.500000000000', events: 2 },
    ]);
  });
});
