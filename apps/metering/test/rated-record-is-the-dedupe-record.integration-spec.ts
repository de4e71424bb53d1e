import type { UsageRated } from '@tally/budget-domain';
import { usageDedupKey } from '@tally/budget-domain';
import { eventually, queryDatabase, usageEvent } from '@tally/testing';
import { MeteringHarness } from './metering.harness';

const DAY_MS = 24 * 3600 * 1000;

describe('metering writes one row per valid event', () => {
  const harness = new MeteringHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('stores a rated event as its outbox row and nothing else; repeats write nothing; a dead letter keeps its inbox claim', async () => {
    const account = 'acct_rows';
    const events = Array.from({ length: 40 }, () => usageEvent({ subject: account }));
    // Ten repeats: five in the same batch as the first copy, five in a later one.
    await harness.produce([...events, ...events.slice(0, 5)], account);
    await harness.produceRaw('{ not json', account);
    await harness.produce(events.slice(5, 10), account);
    const marker = usageEvent({ subject: account });
    await harness.produce([marker], account);
    await harness.waitUntilRated(marker.id);
    await harness.deadLettersOf(account, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(harness.rated.messages).toHaveLength(41);

    const schema = harness.isolation.schema('metering');
    // pg_stat_user_tables counts every insert, update and delete, rolled back or not.
    await eventually(async () => {
      const written = await queryDatabase<{ table: string; ins: number; changed: number }>(
        harness.isolation.databaseUrl,
        `SELECT coalesce(parent.relname, s.relname) AS table, sum(s.n_tup_ins)::int AS ins,
                sum(s.n_tup_upd + s.n_tup_del)::int AS changed
         FROM pg_stat_user_tables s
         LEFT JOIN pg_inherits i ON i.inhrelid = s.relid
         LEFT JOIN pg_class parent ON parent.oid = i.inhparent
         WHERE s.schemaname = $1 AND coalesce(parent.relname, s.relname) IN ('outbox', 'inbox')
         GROUP BY 1 ORDER BY 1`,
        [schema],
      );
      expect(written).toEqual([
        { table: 'inbox', ins: 1, changed: 0 },
        // 41 rated events and one dead letter.
        { table: 'outbox', ins: 42, changed: 0 },
      ]);
    }, 15_000);
    const [rows] = await queryDatabase<{ rated: number; keys: number }>(
      harness.isolation.databaseUrl,
      `SELECT count(*)::int AS rated, count(DISTINCT dedupe_key)::int AS keys
       FROM "${schema}".outbox WHERE dedupe_key IS NOT NULL`,
    );
    expect(rows).toEqual({ rated: 41, keys: 41 });
  });
});

describe('an event re-sent long after it was rated', () => {
  // Events may be 12 days old: metering keeps their rows for 14 days (12 + 2).
  const harness = new MeteringHarness(undefined, { maxEventAgeMs: 12 * DAY_MS });

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('is still a duplicate 10 days after the time it happened, after a restart and the partition upkeep', async () => {
    const account = 'acct_late_resend';
    const tenDaysAgo = new Date(Date.now() - 10 * DAY_MS).toISOString();
    const event = usageEvent({ subject: account, time: tenDaysAgo });
    await harness.produce([event], account);
    await harness.waitUntilRated(event.id);

    const schema = harness.isolation.schema('metering');
    // Metering's partitions hold a week each: [from, to) by the partition's bounds.
    const partitionsSql = `
      SELECT c.relname AS name, b[1] AS "from", b[2] AS "to"
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
      LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([0-9-]+)''\\) TO \\(''([0-9-]+)''\\)') AS b
      WHERE i.inhparent = '"${schema}".outbox'::regclass ORDER BY b[1]`;
    const [row] = await queryDatabase<{ from: string; to: string }>(
      harness.isolation.databaseUrl,
      `SELECT p.from, p.to FROM "${schema}".outbox o
       JOIN pg_class c ON c.oid = o.tableoid JOIN (${partitionsSql}) p ON p.name = c.relname
       WHERE o.dedupe_key = $1`,
      [usageDedupKey(event)],
    );
    // The row lives in the partition of the day the event happened, not the day it arrived.
    const eventDay = tenDaysAgo.slice(0, 10);
    expect(row!.from <= eventDay && eventDay < row!.to).toBe(true);

    // A new instance leads the relay: it creates and drops partitions before publishing.
    await harness.restart();
    const partitions = await queryDatabase<{ from: string; to: string }>(
      harness.isolation.databaseUrl,
      partitionsSql,
    );
    const day = (offsetDays: number) =>
      new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
    // Every day from the retention's start (14 days) to a week ahead has its partition.
    for (let offset = -14; offset <= 7; offset += 1) {
      const covering = partitions.filter((p) => p.from <= day(offset) && day(offset) < p.to);
      expect(covering).toHaveLength(1);
    }
    // A week per partition (besides the migration's first two days): a day each would be 22.
    expect(partitions.length).toBeLessThan(10);

    const marker = usageEvent({ subject: account });
    // What could arrive after its partition went is refused, so it can never be counted twice.
    const tooOld = usageEvent({
      subject: account,
      time: new Date(Date.now() - 13 * DAY_MS).toISOString(),
    });
    await harness.produce([event, tooOld, marker], account);
    await harness.waitUntilRated(marker.id);
    const deadLetters = await harness.deadLettersOf(account, 1);
    expect(deadLetters.map((d) => d.reason)).toEqual(['time_too_old']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(harness.rated.json<UsageRated>().filter((r) => r.id === event.id)).toHaveLength(1);
  });
});
