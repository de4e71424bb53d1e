/*
 * `npm run chaos`: streams a known workload (CHAOS_EVENTS, default 30,000, for 50 accounts,
 * with 5 % of the events sent twice) through metering and the ledger while killing both
 * with SIGKILL at random moments, restarting the Kafka broker once and PostgreSQL once (when
 * this machine's cluster can be restarted), then checks: every account's balance equals the
 * exact expected total, no event rated or posted twice, the ledger reconciles, the
 * dead-letter topic is empty. Bounded in time; prints a verdict; exits 1 on failure.
 * CHAOS_SKIP_INBOX=1 runs the services without their inbox, to show the checks catch it.
 */
import { execSync } from 'node:child_process';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { UsageProducer, buildUsageEvent } from '@tally/client';
import type { UsageInput } from '@tally/client';
import { defaultCatalog, parseUsageEvent, rateUsage } from '@tally/budget-domain';
import { ServiceHarness, isolate, queryDatabase } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';

const EVENTS = Number(process.env['CHAOS_EVENTS'] ?? 30_000);
const ACCOUNTS = 50;
const DEADLINE_MS = Number(process.env['CHAOS_DEADLINE_MS'] ?? 8 * 60_000);
const KAFKA_SCRIPT = path.resolve(__dirname, '..', 'infra', 'kafka', 'kafka.sh');
const random = (max: number) => Math.floor(Math.random() * max);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const isolation = isolate();
  const harness = new ServiceHarness(isolation, {
    KAFKA_PARTITIONS: '6',
    ...(process.env['CHAOS_SKIP_INBOX'] === '1' ? { TALLY_UNSAFE_SKIP_INBOX: '1' } : {}),
  });
  const started = Date.now();
  const log = (message: string) =>
    console.log(`chaos +${((Date.now() - started) / 1000).toFixed(1)}s ${message}`);
  await harness.start('metering', 'ledger');
  const rated = await harness.kafka.record(harness.topic('usage.rated'));
  const deadLetters = await harness.kafka.record(harness.topic('usage.dead-letter'));

  const inputs: UsageInput[] = Array.from({ length: EVENTS }, (_, i) => ({
    id: `chaos_${isolation.suffix}_${i}`,
    accountId: `acct_${i % ACCOUNTS}`,
    service: 'llm',
    model: ['gpt-4o-mini', 'claude-3-5-sonnet-20241022', 'gemini-1.5-flash'][i % 3]!,
    inputTokens: 100 + (i % 5000),
    outputTokens: 10 + (i % 700),
  }));
  const expected = expectedTotals(inputs);

  const producing = (async () => {
    const producer = await UsageProducer.connect({
      brokers: isolation.kafkaBrokers,
      source: 'chaos',
      topic: harness.topic('usage.events'),
    });
    for (let start = 0; start < inputs.length; start += 500) {
      const chunk = inputs.slice(start, start + 500);
      const resent = chunk.filter((_, i) => i % 20 === 0);
      for (;;) {
        try {
          await producer.send([...chunk, ...resent]);
          break;
        } catch (error) {
          log(`produce retry: ${String(error)}`);
          await sleep(500);
        }
      }
      await sleep(600); // ~40 s of traffic, so the faults land mid-stream
    }
    await producer.close();
    log(`produced ${inputs.length} events (+5 % sent twice)`);
  })();

  const faults = [
    () => crash(harness, 'metering', log),
    () => crash(harness, 'ledger', log),
    () => crash(harness, 'metering', log),
    async () => {
      log('restarting the Kafka broker');
      execSync(`bash ${KAFKA_SCRIPT} restart`, { stdio: 'ignore' });
      log('broker back');
    },
    () => crash(harness, 'ledger', log),
    async () => {
      if (!canRestartPostgres(isolation.databaseUrl))
        return log('PostgreSQL restart skipped (not a local cluster)');
      log('restarting PostgreSQL');
      execSync(
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n 1) main restart',
        { stdio: 'ignore', shell: '/bin/bash' },
      );
      log('PostgreSQL back');
    },
  ];
  for (const fault of faults.sort(() => Math.random() - 0.5)) {
    await sleep(500 + random(2000));
    await fault();
  }
  await producing;

  const schema = (service: string) => `"${isolation.schema(service)}"`;
  const count = async (sql: string) =>
    (await queryDatabase<{ n: number }>(isolation.databaseUrl, sql))[0]!.n;
  const postedUsage = () => count(`SELECT count(*)::int AS n FROM ${schema('ledger')}.usage_lines`);
  while ((await postedUsage().catch(() => -1)) < EVENTS && Date.now() - started < DEADLINE_MS)
    await sleep(1000);
  await sleep(3000); // anything still in flight (a double count) lands now

  const result = await verify(isolation.databaseUrl, schema, expected, rated, deadLetters);
  await harness.stop();
  log(JSON.stringify(result.counts));
  for (const failure of result.failures) log(`FAIL: ${failure}`);
  console.log(result.failures.length === 0 ? 'chaos: PASS' : 'chaos: FAIL');
  process.exitCode = result.failures.length === 0 ? 0 : 1;
}

async function crash(
  harness: ServiceHarness,
  service: string,
  log: (message: string) => void,
): Promise<void> {
  const [instance] = harness.running(service);
  if (!instance) return;
  log(`SIGKILL ${service}`);
  await instance.kill();
  await sleep(random(1500));
  await harness.startService(service);
  log(`${service} restarted`);
}

function expectedTotals(inputs: UsageInput[]): Map<string, Decimal> {
  const catalog = defaultCatalog();
  const now = new Date();
  const totals = new Map<string, Decimal>();
  for (const input of inputs) {
    const parsed = parseUsageEvent(JSON.stringify(buildUsageEvent(input, 'chaos')), { now });
    if (!parsed.ok) throw new Error(parsed.error);
    const cost = new Decimal(rateUsage(parsed.value, catalog).cost);
    totals.set(input.accountId, (totals.get(input.accountId) ?? new Decimal(0)).plus(cost));
  }
  return totals;
}

async function verify(
  databaseUrl: string,
  schema: (service: string) => string,
  expected: Map<string, Decimal>,
  rated: TopicRecorder,
  deadLetters: TopicRecorder,
) {
  const failures: string[] = [];
  const one = async (sql: string) =>
    (await queryDatabase<Record<string, string | number>>(databaseUrl, sql))[0]!;
  const revenue = await queryDatabase<{ account_id: string; balance: string }>(
    databaseUrl,
    `SELECT account_id, balance::text AS balance FROM ${schema('ledger')}.ledger_accounts WHERE code = 'revenue'`,
  );
  const wrong = revenue.filter(
    (row) => !new Decimal(row.balance).equals(expected.get(row.account_id) ?? 0),
  );
  if (revenue.length !== expected.size)
    failures.push(`${revenue.length} accounts posted, expected ${expected.size}`);
  if (wrong.length > 0)
    failures.push(
      `${wrong.length} account balances differ, e.g. ${wrong[0]!.account_id}: ${wrong[0]!.balance} vs ${expected.get(wrong[0]!.account_id)?.toFixed()}`,
    );
  const posted = await one(
    `SELECT count(*)::int AS n, count(DISTINCT source_id)::int AS distinct_n FROM ${schema('ledger')}.usage_lines`,
  );
  if (posted['n'] !== EVENTS || posted['distinct_n'] !== EVENTS)
    failures.push(
      `ledger posted ${posted['n']} usage lines (${posted['distinct_n']} distinct), expected ${EVENTS}`,
    );
  const ratedIds = new Set(rated.json<{ id: string }>().map((r) => r.id));
  if (ratedIds.size !== EVENTS)
    failures.push(`${ratedIds.size} distinct events rated, expected ${EVENTS}`);
  if (rated.messages.length !== EVENTS)
    failures.push(
      `usage.rated holds ${rated.messages.length} records for ${EVENTS} events (an event rated twice)`,
    );
  const books = await one(
    `SELECT coalesce(sum(amount), 0)::text AS total FROM ${schema('ledger')}.postings`,
  );
  const mismatched = await one(`
    SELECT count(*)::int AS n FROM ${schema('ledger')}.ledger_accounts l
    LEFT JOIN (SELECT account_id, ledger_code, sum(amount) AS s FROM ${schema('ledger')}.postings GROUP BY 1, 2) p
      ON p.account_id = l.account_id AND p.ledger_code = l.code
    WHERE l.balance <> coalesce(p.s, 0)`);
  if (!new Decimal(books['total'] as string).isZero() || mismatched['n'] !== 0)
    failures.push(
      `reconciliation: postings total ${books['total']}, ${mismatched['n']} cached balances differ`,
    );
  if (deadLetters.messages.length > 0) failures.push(`${deadLetters.messages.length} dead letters`);
  return {
    failures,
    counts: {
      events: EVENTS,
      rated_records: rated.messages.length,
      rated_distinct: ratedIds.size,
      posted: posted['n'],
      accounts: revenue.length,
      dead_letters: deadLetters.messages.length,
      postings_total: books['total'],
    },
  };
}

function canRestartPostgres(databaseUrl: string): boolean {
  if (process.env['CHAOS_RESTART_POSTGRES'] === '0') return false;
  const host = new URL(databaseUrl).hostname;
  try {
    execSync('command -v pg_ctlcluster && ls /etc/postgresql', {
      stdio: 'ignore',
      shell: '/bin/bash',
    });
    return host === '127.0.0.1' || host === 'localhost';
  } catch {
    return false;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
