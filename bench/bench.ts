/*
 * `npm run bench`: streams BENCH_EVENTS usage events (default 200,000) for BENCH_ACCOUNTS
 * accounts (default 1,000) through metering and the ledger, running as their own processes
 * on the local broker and database, and measures throughput, lag and memory. Then it
 * measures authorizations at BENCH_AUTH_RATE with nothing else to do, and at
 * BENCH_AUTH_UNDER_LOAD_RATE while BENCH_LOAD_EVENTS more events flow, and checks every
 * account's exact total. With BENCH_PRODUCE_RATE (events/s) the first phase is produced at
 * that pace instead of as fast as possible: a long run at a rate the pipeline keeps up with
 * shows whether memory stays flat at steady state, minute by minute (`memory_by_minute`). In
 * the same run it measures the raw ceilings of this machine: a KafkaJS consume-only pass
 * over the same records, batched PostgreSQL inserts, and the authorization client against an
 * HTTP server that answers at once and one that commits a row before it answers. Writes
 * docs/benchmarks/<date>.json and .svg.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { UsageProducer, buildUsageEvent } from '@tally/client';
import {
  FREE_PLAN,
  chargeUsage,
  defaultCatalog,
  isFreeModel,
  parseUsageEvent,
  rateUsage,
  usageTokens,
} from '@tally/budget-domain';
import type { Plan } from '@tally/budget-domain';
import {
  CommandClient,
  ServiceHarness,
  isolate,
  queryDatabase,
  scrapeMetrics,
} from '@tally/testing';
import { openAccountsWithKeys, postAuthorization } from './authorization-client';
import { cpuSnapshot, cpuSpent, cpuWaitMark, cpuWaitShare, ticksOf } from './cpu';
import { DiskWrites, dirtyMb } from './disk-writes';
import { StallCanary, slowRequestsDuringStalls } from './stall-canary';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 1_000);
const MODELS = [
  'gpt-4o-mini',
  'claude-3-5-sonnet-20241022',
  'gemini-1.5-flash',
  'gpt-4o',
  'ollama/llama3',
];
const WARM_UP_SECONDS = 3;
const AUTH_RATE = Number(process.env['BENCH_AUTH_RATE'] ?? 1000);
const AUTH_SECONDS = Number(process.env['BENCH_AUTH_SECONDS'] ?? 10);
/** Events streamed after the idle authorization phase, while authorizations run beside them. */
const LOAD_EVENTS = Number(process.env['BENCH_LOAD_EVENTS'] ?? 50_000);
/**
 * BENCH_STALL_CANARY=1: a raised-priority process notes when the whole machine was held during
 * the authorization phases (bench/stall-canary.ts). Off by default: its 500 wake-ups a second
 * cost about 14 ms of CPU a second, which the phases' machine CPU would carry.
 */
const STALL_CANARY = process.env['BENCH_STALL_CANARY'] === '1';
const AUTH_UNDER_LOAD_RATE = Number(process.env['BENCH_AUTH_UNDER_LOAD_RATE'] ?? 200);
/** Events/s for the first phase; unset: as fast as the producer can send. */
const PRODUCE_RATE = process.env['BENCH_PRODUCE_RATE']
  ? Number(process.env['BENCH_PRODUCE_RATE'])
  : undefined;
const STALL_MS = 120_000;
/**
 * The plan of every other bench account (the even ones): a reseller's 10 % on paid models and
 * a volume tier each account crosses early, so every run charges markups, discounts and an
 * event split at a tier boundary.
 */
const BENCH_PLAN: Plan = {
  ...FREE_PLAN,
  name: 'bench-reseller',
  markupPercentPaid: new Decimal('10'),
  volumeTiers: [{ fromTokens: 10_000, percent: new Decimal('20') }],
};
const onBenchPlan = (accountNumber: number) => accountNumber % 2 === 0;
const OUT_DIR = path.resolve(__dirname, '..', 'docs', 'benchmarks');

interface Sample {
  t: number;
  produced: number;
  rated: number;
  posted: number;
  /** Messages the ledger's outbox relay has published (ledger.transactions and ledger.balance-changed). */
  announced: number;
  /** RSS of each service at this moment, to show whether memory stays flat over a long run. */
  rss_mb: { metering: number; ledger: number };
  /** V8 heap in use: its lowest point in a minute (after collections) is what a leak raises. */
  heap_mb: { metering: number; ledger: number };
}

const seconds = (from: number, to: number) => (to - from) / 1000;

async function main(): Promise<void> {
  const isolation = isolate();
  const harness = new ServiceHarness(isolation, { KAFKA_PARTITIONS: '12', DB_POOL_SIZE: '8' });
  console.log(`bench: ${EVENTS} events, ${ACCOUNTS} accounts, topics *.${isolation.suffix}`);
  await harness.start('metering', 'ledger');
  const [metering] = harness.running('metering');
  const [ledger] = harness.running('ledger');
  const peakRss = { metering: 0, ledger: 0 };
  await assignBenchPlan(harness);

  // The workload as a function of the event's number, not a list: millions of events held in
  // the load generator made its own GC pauses show up in the authorization latencies.
  function* events(from = 0, to = EVENTS) {
    for (let i = from; i < to; i += 1) yield benchEvent(i, isolation.suffix);
  }

  // Progress from the services' own counters: a count(*) over the inboxes every second would
  // cost the database more than some of the work being measured.
  const peakHeap = { metering: 0, ledger: 0 };
  const progress = async () => {
    const [meteringFigures, ledgerFigures] = await Promise.all([
      serviceFigures(metering!.port),
      serviceFigures(ledger!.port),
    ]);
    peakHeap.metering = Math.max(peakHeap.metering, meteringFigures.heapMb);
    peakHeap.ledger = Math.max(peakHeap.ledger, ledgerFigures.heapMb);
    return {
      rated: meteringFigures.consumed(harness.topic('usage.events')),
      posted: ledgerFigures.consumed(harness.topic('usage.rated')),
      announced: ledgerFigures.published,
      heap: { metering: meteringFigures.heapMb, ledger: ledgerFigures.heapMb },
    };
  };
  const samples: Sample[] = [];
  let produced = 0;
  const schemas = [isolation.schema('metering'), isolation.schema('ledger')];
  const rowsAtStart = await rowsWritten(isolation.databaseUrl, schemas);
  const recordsAtStart = await recordsPublished(metering!.port, ledger!.port);
  const cpuAtStart = cpuSnapshot(metering!.pid, ledger!.pid);
  const started = Date.now();
  const sampler = setInterval(() => {
    void (async () => {
      const { rated, posted, announced, heap } = await progress();
      const rss = { metering: rssMb(metering!.pid), ledger: rssMb(ledger!.pid) };
      samples.push({
        t: (Date.now() - started) / 1000,
        produced,
        rated,
        posted,
        announced,
        rss_mb: rss,
        heap_mb: heap,
      });
      peakRss.metering = Math.max(peakRss.metering, rss.metering);
      peakRss.ledger = Math.max(peakRss.ledger, rss.ledger);
    })();
  }, 1000);

  const produce = async (batch: Iterable<ReturnType<typeof benchEvent>>, rate?: number) => {
    const producer = await UsageProducer.connect({
      brokers: isolation.kafkaBrokers,
      source: 'bench',
      topic: harness.topic('usage.events'),
      maxBatchSize: 2000,
    });
    const from = { at: Date.now(), produced };
    for (const event of batch) {
      producer.record(event);
      produced += 1;
      if (produced % 20_000 === 0) await producer.flush();
      if (rate !== undefined && produced % 100 === 0) {
        // Ahead of the pace: wait, and let the producer's linger send what is buffered.
        const ahead = from.at + ((produced - from.produced) * 1000) / rate - Date.now();
        if (ahead > 1) await new Promise((resolve) => setTimeout(resolve, ahead));
      }
    }
    await producer.close();
  };
  await produce(events(), PRODUCE_RATE);
  const producedAt = Date.now();
  console.log(`bench: produced ${EVENTS} in ${((producedAt - started) / 1000).toFixed(1)} s`);

  // A run ends when the last balance-changed is published: every event posted and the
  // ledger's outbox published up to its last row (ADR 0040). A pipeline that stops moving (a
  // relay retrying a record Kafka refuses, say) fails the run after STALL_MS with the
  // services' last words.
  const ledgerOutboxPublished = async () =>
    (
      await queryDatabase<{ empty: boolean }>(
        isolation.databaseUrl,
        `SELECT NOT EXISTS (
           SELECT 1 FROM "${isolation.schema('ledger')}".outbox
           WHERE xid > (SELECT position FROM "${isolation.schema('ledger')}".outbox_relay)
         ) AS empty`,
      )
    )[0]?.empty === true;
  const drain = async (total: number) => {
    let ratedDoneAt = 0;
    let postedDoneAt = 0;
    let lastMoved = { at: Date.now(), handled: 0 };
    for (;;) {
      const { rated, posted, announced } = await progress();
      if (rated >= total && !ratedDoneAt) ratedDoneAt = Date.now();
      if (posted >= total && !postedDoneAt) postedDoneAt = Date.now();
      if (postedDoneAt && (await ledgerOutboxPublished()))
        return { ratedDoneAt, postedDoneAt, announcedDoneAt: Date.now() };
      if (rated + posted + announced > lastMoved.handled)
        lastMoved = { at: Date.now(), handled: rated + posted + announced };
      if (Date.now() - lastMoved.at > STALL_MS) {
        const logs = [metering!, ledger!]
          .map((service) => `--- ${service.service}, last output:\n${service.logs().slice(-3000)}`)
          .join('\n');
        clearInterval(sampler);
        await harness.stop();
        throw new Error(
          `no progress for ${STALL_MS / 1000} s: rated ${rated}, posted ${posted} of ${total}, ${announced} announced\n${logs}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const { ratedDoneAt, postedDoneAt, announcedDoneAt } = await drain(EVENTS);
  const cpu = cpuSpent(cpuAtStart, cpuSnapshot(metering!.pid, ledger!.pid), EVENTS);
  clearInterval(sampler);
  // A PostgreSQL backend (15+) that goes idle publishes its last table counters up to 10 s
  // later (PGSTAT_IDLE_INTERVAL); read them once they have settled.
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const rowsPerEvent = perEvent(
    rowsAtStart,
    await rowsWritten(isolation.databaseUrl, schemas),
    EVENTS,
  );
  const recordsPerEvent = perEvent(
    recordsAtStart,
    await recordsPublished(metering!.port, ledger!.port),
    EVENTS,
  );
  const stages = {
    metering: await stageFigures(metering!.port),
    ledger: await stageFigures(ledger!.port),
  };

  const authorizations = await AuthorizationBench.setUp(
    harness,
    ledger!,
    AUTH_RATE * (WARM_UP_SECONDS + AUTH_SECONDS) + AUTH_UNDER_LOAD_RATE * AUTH_SECONDS,
  );
  const authorization = await authorizations.idle(AUTH_RATE, AUTH_SECONDS);
  // Authorizations beside a stream of events: the latency a gateway sees while Tally is busy.
  const postedBefore = (await progress()).posted;
  const windowStarted = Date.now();
  const [underLoad] = await Promise.all([
    authorizations.measure(AUTH_UNDER_LOAD_RATE, AUTH_SECONDS),
    produce(events(EVENTS, EVENTS + LOAD_EVENTS)),
  ]);
  const postedInWindow =
    ((await progress()).posted - postedBefore) / seconds(windowStarted, Date.now());
  await drain(EVENTS + LOAD_EVENTS);
  const exactTotals = await checkTotals(
    isolation.databaseUrl,
    isolation.schema('ledger'),
    events(0, EVENTS + LOAD_EVENTS),
  );
  const overCommitted = authorizations.overCommitted();
  await harness.stopServices();

  const raw = await rawCeilings(
    isolation.kafkaBrokers,
    isolation.databaseUrl,
    harness.topic('usage.events'),
  );
  const floorDatabase = { url: isolation.databaseUrl, schema: isolation.schema('floor') };
  const floor = await httpFloor('no_op', AUTH_RATE, AUTH_SECONDS, floorDatabase);
  const durableFloor = await httpFloor('durable_insert', AUTH_RATE, AUTH_SECONDS, floorDatabase);
  await harness.stop();

  const endToEnd = EVENTS / seconds(started, announcedDoneAt);
  const meteringRate = EVENTS / seconds(started, ratedDoneAt);
  const ledgerRate = steadyRate(samples, 'posted');
  const result = {
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      kafka: '3.9.1 (single-node KRaft, 768 MB heap)',
      postgres: pgVersion(),
    },
    events: EVENTS,
    produce_rate_per_s: PRODUCE_RATE ?? null,
    load_events: LOAD_EVENTS,
    accounts: ACCOUNTS,
    // Produce → the last ledger.balance-changed published (the ledger's outbox all published).
    end_to_end_events_per_s: Math.round(endToEnd),
    // Produce → the last event posted: what end_to_end_events_per_s measured in result files without this field.
    produce_to_posted_events_per_s: Math.round(EVENTS / seconds(started, postedDoneAt)),
    metering_events_per_s: Math.round(meteringRate),
    ledger_postings_per_s: Math.round(ledgerRate),
    produce_seconds: seconds(started, producedAt),
    authorization_rate_per_s: authorization.ratePerS,
    authorization_p50_ms: authorization.p50,
    authorization_p95_ms: authorization.p95,
    authorization_p99_ms: authorization.p99,
    authorization_over_commit: overCommitted,
    // The ledger's own timing, from arrival to response: what the client's figures add is
    // the wait for a CPU and the load generator's own delays.
    authorization_server_share: authorization.server,
    authorization_cpu_us_per_request: authorization.cpuUsPerRequest,
    authorization_cpu_wait_share: authorization.cpuWaitShare,
    authorization_machine_stalls: authorization.machineStalls,
    authorization_wal: authorization.wal,
    authorization_contention: authorization.contention,
    authorization_key_lookups: authorization.keyLookups,
    authorization_dirty_mb_at_start: authorization.dirtyMbAtStart,
    authorization_timeline: authorization.timeline,
    // At BENCH_AUTH_UNDER_LOAD_RATE while BENCH_LOAD_EVENTS more events flow through.
    authorization_under_load_rate_per_s: underLoad.ratePerS,
    authorization_under_load_p50_ms: underLoad.p50,
    authorization_under_load_p95_ms: underLoad.p95,
    authorization_under_load_p99_ms: underLoad.p99,
    authorization_under_load_contention: underLoad.contention,
    authorization_under_load_cpu_wait_share: underLoad.cpuWaitShare,
    authorization_under_load_machine_stalls: underLoad.machineStalls,
    events_posted_per_s_beside_them: Math.round(postedInWindow),
    // The same client at the same rate against a server that does nothing: this machine's floor.
    raw_http_no_op_p50_ms: floor.p50,
    raw_http_no_op_p99_ms: floor.p99,
    raw_http_no_op_cpu_us_per_request: floor.cpuUsPerRequest,
    raw_http_no_op_cpu_wait_share: floor.cpuWaitShare,
    raw_http_no_op_machine_stalls: floor.machineStalls,
    // ... and against one that commits a row before it answers: the floor of a durable hold.
    raw_http_durable_insert_p50_ms: durableFloor.p50,
    raw_http_durable_insert_p99_ms: durableFloor.p99,
    raw_http_durable_insert_cpu_us_per_request: durableFloor.cpuUsPerRequest,
    raw_http_durable_insert_cpu_wait_share: durableFloor.cpuWaitShare,
    raw_http_durable_insert_machine_stalls: durableFloor.machineStalls,
    raw_kafka_consume_events_per_s: Math.round(raw.kafkaConsumePerS),
    raw_pg_insert_rows_per_s: Math.round(raw.pgInsertRowsPerS),
    raw_pg_round_trip_cpu_us: raw.pgRoundTrip,
    ratio_to_raw_kafka: round2(endToEnd / raw.kafkaConsumePerS),
    ratio_to_raw_pg: round2(endToEnd / raw.pgInsertRowsPerS),
    peak_rss_mb: peakRss,
    peak_heap_used_mb: peakHeap,
    memory_by_minute: memoryByMinute(samples),
    cpu_us_per_event: cpu,
    // Rows inserted, updated and deleted in metering's and the ledger's schemas per event
    // (pg_stat_user_tables), and records their outboxes published per event, by table and service.
    pg_rows_per_event: rowsPerEvent,
    kafka_records_per_event: recordsPerEvent,
    stages,
    exact_totals: exactTotals,
    samples,
  };
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path.join(OUT_DIR, `bench-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path.join(OUT_DIR, `bench-${stamp}.svg`), chart(samples, EVENTS));
  const { samples: _samples, ...summary } = result;
  console.log(JSON.stringify(summary, null, 2));
  console.log(`bench: wrote docs/benchmarks/bench-${stamp}.json and .svg`);
}

/**
 * Authorizations against 50 accounts, each with credit for 90 % of the calls it will get at
 * 0.001: the rest must be refused, never over-committed. Latency is measured open loop
 * (requests start on schedule whether or not earlier ones finished).
 */
class AuthorizationBench {
  private static readonly ACCOUNTS = 50;
  private static readonly COST = new Decimal('0.001');
  private readonly grantedPerAccount = new Map<number, number>();
  private next = 0;

  private constructor(
    private readonly ledger: { port: number; pid: number | undefined },
    private readonly databaseUrl: string,
    private readonly secrets: readonly string[],
    private readonly allowedPerAccount: number,
  ) {}

  /** Opens the accounts with credit for 90 % of `calls` spread over them. */
  static async setUp(
    harness: ServiceHarness,
    ledger: { port: number; pid: number | undefined },
    calls: number,
  ): Promise<AuthorizationBench> {
    const accounts = AuthorizationBench.ACCOUNTS;
    const credit = AuthorizationBench.COST.times(Math.ceil(calls / accounts)).times('0.9');
    const secrets = await openAccountsWithKeys(harness, 'bench_auth', accounts, credit.toFixed());
    return new AuthorizationBench(
      ledger,
      harness.isolation.databaseUrl,
      secrets,
      credit.dividedBy(AuthorizationBench.COST).floor().toNumber(),
    );
  }

  /**
   * Latency with nothing else to do, after a warm-up at the same rate (JIT, pools, prepared
   * statements), with the CPU each process spent per request and the ledger's own timing.
   */
  async idle(rate: number, seconds: number) {
    await this.measure(rate, WARM_UP_SECONDS);
    const walAtStart = await walWritten(this.databaseUrl);
    const cpuAtStart = cpuSnapshot(undefined, this.ledger.pid);
    const serverAtStart = await authorizationServerTimes(this.ledger.port);
    const measured = await this.measure(rate, seconds);
    const serverAtEnd = await authorizationServerTimes(this.ledger.port);
    const { bench, ledger, postgres, postgres_background, machine } = cpuSpent(
      cpuAtStart,
      cpuSnapshot(undefined, this.ledger.pid),
      rate * seconds,
    );
    const walAtEnd = await walWritten(this.databaseUrl);
    const requests = rate * seconds;
    return {
      ...measured,
      server: serverShares(serverAtStart, serverAtEnd),
      cpuUsPerRequest: { client: bench, ledger, postgres, postgres_background, machine },
      // Cluster-wide, so anything else writing then counts too; a commit that waits for its own
      // flush is one sync, commits that share a flush are fewer.
      wal: {
        syncs_per_request: round2((walAtEnd.syncs - walAtStart.syncs) / requests),
        bytes_per_request: Math.round((walAtEnd.bytes - walAtStart.bytes) / requests),
      },
    };
  }

  /**
   * `rate` requests a second for `seconds`: the rate achieved, p50, p95, p99 in ms, and how
   * often requests of one account collided in the ledger (decisions taken again on fresh
   * facts, and requests that queued on the account's row lock).
   */
  async measure(rate: number, seconds: number) {
    const accounts = AuthorizationBench.ACCOUNTS;
    const body = JSON.stringify({
      estimated_cost: AuthorizationBench.COST.toFixed(),
      ttl_seconds: 600,
    });
    const client = new OpenLoopClient(
      this.ledger.port,
      rate,
      body,
      (i) => this.secrets[i % accounts],
    );
    const contentionAtStart = await authorizationContention(this.ledger.port);
    const first = this.next;
    const startedAt = Date.now();
    const started = performance.now();
    const waitAtStart = cpuWaitMark();
    const dirtyAtStart = dirtyMb();
    const disk = DiskWrites.start();
    const canary = STALL_CANARY ? StallCanary.start() : undefined;
    const results = await client.run(rate * seconds, first);
    const stalls = await canary?.stop();
    disk?.stop();
    const waitAtEnd = cpuWaitMark();
    const elapsed = (performance.now() - started) / 1000;
    client.close();
    const contentionAtEnd = await authorizationContention(this.ledger.port);
    this.next += results.length;
    for (const { i, status } of results) {
      if (status === 201)
        this.grantedPerAccount.set(
          i % accounts,
          (this.grantedPerAccount.get(i % accounts) ?? 0) + 1,
        );
    }
    return {
      ratePerS: Math.round(results.length / elapsed),
      ...percentiles(results.map((r) => r.ms)),
      // Share of the phase's wall time in which some task waited for a core (PSI "some"):
      // latency that is queueing for a CPU, not work.
      cpuWaitShare: cpuWaitShare(waitAtStart, waitAtEnd),
      ...(stalls ? { machineStalls: slowRequestsDuringStalls(results, stalls, 10) } : {}),
      // Page cache left dirty (mostly the broker's log, which it never syncs): the kernel may
      // write it back in one burst during the phase, and every commit's flush queues behind it.
      dirtyMbAtStart: dirtyAtStart,
      // Per second of schedule: a phase that starts slow and one that falls behind look alike in
      // the totals. `at` (wall clock) matches a slow second with PostgreSQL's log, and
      // `disk_written_mb` with a writeback burst.
      timeline: Array.from({ length: seconds }, (_, second) => {
        const due = results.filter(({ i }) => Math.floor((i - first) / rate) === second);
        const from = startedAt + second * 1000;
        return {
          second,
          at: new Date(from).toISOString(),
          requests: due.length,
          ...percentiles(due.map((r) => r.ms)),
          disk_written_mb: disk?.writtenMb(from, from + 1000),
        };
      }),
      contention: {
        stale_decisions: contentionAtEnd.staleDecisions - contentionAtStart.staleDecisions,
        row_locks: contentionAtEnd.rowLocks - contentionAtStart.rowLocks,
        // Holds decided on a key's kept facts: placed at once, or facts changed (ADR 0048).
        kept_facts_current: contentionAtEnd.keptCurrent - contentionAtStart.keptCurrent,
        kept_facts_changed: contentionAtEnd.keptChanged - contentionAtStart.keptChanged,
      },
      // Secrets the edge looked up in PostgreSQL: a known key costs none (ADR 0053).
      keyLookups: contentionAtEnd.keyLookups - contentionAtStart.keyLookups,
    };
  }

  /** True if any account was granted more holds than its credit covers. */
  overCommitted(): boolean {
    return [...this.grantedPerAccount.values()].some((granted) => granted > this.allowedPerAccount);
  }
}

/**
 * POST /v1/authorizations at a fixed rate, open loop: requests start on schedule whether or not
 * earlier ones finished, and latency counts from when a request was due or was sent, whichever
 * came first: a late start is not hidden, and a request sent up to 1 ms early (no timer waits
 * less) is not timed from a moment after it left. Node's http client with kept-alive
 * connections: fetch costs the client about 1 ms of CPU per request, which the server would
 * have to share.
 */
class OpenLoopClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly port: number,
    private readonly rate: number,
    private readonly body: string,
    private readonly secretOf: (i: number) => string | undefined,
  ) {}

  async run(count: number, first: number): Promise<Timed[]> {
    const started = performance.now();
    const pending: Array<Promise<Timed>> = [];
    for (let i = 0; i < count; i += 1) {
      const due = started + (i * 1000) / this.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(this.call(first + i, Math.min(due, performance.now())));
    }
    return Promise.all(pending);
  }

  close(): void {
    this.agent.destroy();
  }

  private async call(i: number, from: number): Promise<Timed> {
    const status = await postAuthorization(this.agent, this.port, this.body, this.secretOf(i));
    const to = performance.now();
    return {
      i,
      ms: to - from,
      status,
      start: performance.timeOrigin + from,
      end: performance.timeOrigin + to,
    };
  }
}

/** One request of an open loop: its number, latency, status, and start and end in epoch ms. */
interface Timed {
  i: number;
  ms: number;
  status: number;
  start: number;
  end: number;
}

/** The answer both floor servers give, the size of a granted authorization's. */
const FLOOR_ANSWER = JSON.stringify({
  authorized: true,
  reservation_id: 'res_floor',
  amount: '0.001000',
});

/**
 * The servers this machine's floors for the authorization figures are measured on: Fastify in
 * a process of its own, no Nest. `no_op` answers at once. `durable_insert` first inserts one row
 * in a table of its own and waits for its commit (one prepared statement on a pool of the
 * ledger's size, the server's default `synchronous_commit`): the least that any authorization
 * which keeps its hold in PostgreSQL before it answers can cost.
 */
const FLOOR_SERVERS = {
  no_op: `const app = require('fastify')();
    app.post('/v1/authorizations', (_, reply) => { reply.code(201).type('application/json').send(${JSON.stringify(FLOOR_ANSWER)}); });
    app.listen({ port: 0, host: '127.0.0.1' }).then((address) => console.log(address));`,
  durable_insert: `const app = require('fastify')();
    const pool = new (require('pg').Pool)({ connectionString: process.env.FLOOR_DATABASE_URL, max: 8 });
    let next = 0;
    app.post('/v1/authorizations', async (_, reply) => {
      await pool.query({
        name: 'floor_hold',
        text: 'INSERT INTO "' + process.env.FLOOR_SCHEMA + '".holds (reservation_id, amount, expires_at) VALUES ($1, $2, now() + make_interval(mins => 1))',
        values: ['res_' + next++, '0.001'],
      });
      reply.code(201).type('application/json');
      return ${JSON.stringify(FLOOR_ANSWER)};
    });
    app.listen({ port: 0, host: '127.0.0.1' }).then((address) => console.log(address));`,
};
type FloorServer = keyof typeof FLOOR_SERVERS;

/**
 * The same client at the same rate against a floor server: CPU per request of the client, the
 * server, PostgreSQL and the machine, latency, and the share of the phase some task waited for
 * a core. Every request must be answered 201.
 */
async function httpFloor(
  server: FloorServer,
  rate: number,
  seconds: number,
  database: { url: string; schema: string },
) {
  if (server === 'durable_insert') {
    await queryDatabase(
      database.url,
      `CREATE SCHEMA "${database.schema}";
       CREATE TABLE "${database.schema}".holds (reservation_id text PRIMARY KEY, amount numeric(38,12) NOT NULL, expires_at timestamptz NOT NULL)`,
    );
  }
  const child = spawn(process.execPath, ['-e', FLOOR_SERVERS[server]], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, FLOOR_DATABASE_URL: database.url, FLOOR_SCHEMA: database.schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (data: Buffer) => resolve(data.toString().trim()));
      child.once('exit', (code) => reject(new Error(`the ${server} server exited with ${code}`)));
    });
    const client = new OpenLoopClient(
      Number(new URL(address).port),
      rate,
      JSON.stringify({ estimated_cost: '0.001' }),
      () => 'floor',
    );
    await client.run(rate * WARM_UP_SECONDS, 0);
    const cpuAtStart = { ...cpuSnapshot(undefined, undefined), server: ticksOf(child.pid) };
    const waitAtStart = cpuWaitMark();
    const canary = STALL_CANARY ? StallCanary.start() : undefined;
    const results = await client.run(rate * seconds, 0);
    const stalls = await canary?.stop();
    const waitAtEnd = cpuWaitMark();
    client.close();
    const refused = results.filter((result) => result.status !== 201).length;
    if (refused > 0) throw new Error(`the ${server} server failed ${refused} requests`);
    const perRequest = (secondsSpent: number) => Math.round((secondsSpent * 1e6) / results.length);
    const cpuAtEnd = cpuSnapshot(undefined, undefined);
    return {
      ...percentiles(results.map((r) => r.ms)),
      cpuUsPerRequest: {
        client: perRequest(cpuAtEnd.bench - cpuAtStart.bench),
        server: perRequest(ticksOf(child.pid) - cpuAtStart.server),
        postgres: perRequest(cpuAtEnd.postgres - cpuAtStart.postgres),
        machine: perRequest(cpuAtEnd.machine - cpuAtStart.machine),
      },
      cpuWaitShare: cpuWaitShare(waitAtStart, waitAtEnd),
      ...(stalls ? { machineStalls: slowRequestsDuringStalls(results, stalls, 10) } : {}),
    };
  } finally {
    child.kill();
    if (server === 'durable_insert')
      await queryDatabase(database.url, `DROP SCHEMA IF EXISTS "${database.schema}" CASCADE`);
  }
}

/** WAL flushes (fsyncs) and bytes the PostgreSQL cluster has written so far (pg_stat_wal). */
async function walWritten(databaseUrl: string): Promise<{ syncs: number; bytes: number }> {
  const [row] = await queryDatabase<{ syncs: string; bytes: string }>(
    databaseUrl,
    'SELECT wal_sync::text AS syncs, wal_bytes::text AS bytes FROM pg_stat_wal',
  );
  return { syncs: Number(row!.syncs), bytes: Number(row!.bytes) };
}

/** p50, p95 and p99 of latencies in ms, to 0.01 ms. */
function percentiles(latencies: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 100) /
    100;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** The ledger's counts of authorizations that collided with another of the same account. */
async function authorizationContention(port: number): Promise<{
  staleDecisions: number;
  rowLocks: number;
  keptCurrent: number;
  keptChanged: number;
  keyLookups: number;
}> {
  const metrics = await scrapeMetrics(`http://127.0.0.1:${port}`);
  const kept = (result: string) =>
    metrics.get(`tally_ledger_authorization_kept_facts_total{result="${result}"}`) ?? 0;
  return {
    staleDecisions: metrics.get('tally_ledger_authorization_stale_decisions_total') ?? 0,
    rowLocks: metrics.get('tally_ledger_authorization_row_locks_total') ?? 0,
    keptCurrent: kept('current'),
    keptChanged: kept('changed'),
    keyLookups: metrics.get('tally_ledger_api_key_lookups_total') ?? 0,
  };
}

/**
 * The ledger's own timing of POST /v1/authorizations (tally_http_request_duration_seconds):
 * requests answered so far within each bucket bound (ms), all statuses together.
 */
async function authorizationServerTimes(port: number): Promise<Map<string, number>> {
  const within = new Map<string, number>();
  for (const [sample, value] of await scrapeMetrics(`http://127.0.0.1:${port}`)) {
    const match =
      /^tally_http_request_duration_seconds_bucket\{le="([^"]+)",method="POST",route="\/v1\/authorizations",/.exec(
        sample,
      );
    if (match) within.set(match[1]!, (within.get(match[1]!) ?? 0) + value);
  }
  return within;
}

/** Of the requests answered between two readings, the share the ledger answered within each bound. */
function serverShares(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const answered = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  const shares: Record<string, number> = {};
  for (const [bound, count] of after) {
    if (bound === '+Inf' || answered === 0) continue;
    shares[`within_${Number(bound) * 1000}ms`] =
      Math.round(((count - (before.get(bound) ?? 0)) / answered) * 10_000) / 10_000;
  }
  return shares;
}

/** Records a service has handled from a topic, messages its outbox relay has published, and the V8 heap it has in use. */
async function serviceFigures(
  port: number,
): Promise<{ consumed: (topic: string) => number; published: number; heapMb: number }> {
  const metrics = await scrapeMetrics(`http://127.0.0.1:${port}`);
  return {
    consumed: (topic) => metrics.get(`tally_messages_consumed_total{topic="${topic}"}`) ?? 0,
    published: [...metrics].reduce(
      (sum, [sample, value]) =>
        sample.startsWith('tally_outbox_published_total{') ? sum + value : sum,
      0,
    ),
    heapMb: Math.round((metrics.get('nodejs_heap_size_used_bytes') ?? 0) / 2 ** 20),
  };
}

/**
 * Where a service spends its time: slices handled per consumed topic (count, mean size, mean
 * duration) and outbox rounds published (count, mean size, mean duration).
 */
async function stageFigures(port: number) {
  const metrics = await scrapeMetrics(`http://127.0.0.1:${port}`);
  const labels = (topic?: string) => (topic === undefined ? '' : `{topic="${topic}"}`);
  const mean = (metric: string, topic?: string, scale = 1) => {
    const count = metrics.get(`${metric}_count${labels(topic)}`) ?? 0;
    return count
      ? Math.round(((metrics.get(`${metric}_sum${labels(topic)}`) ?? 0) / count) * scale * 10) / 10
      : 0;
  };
  const topics = [...metrics.keys()].flatMap(
    (key) => /^tally_batch_size_count\{topic="([^"]+)"\}$/.exec(key)?.[1] ?? [],
  );
  return {
    consumed: Object.fromEntries(
      topics.map((topic) => [
        topic,
        {
          slices: metrics.get(`tally_batch_size_count${labels(topic)}`),
          mean_size: mean('tally_batch_size', topic),
          mean_ms: mean('tally_batch_duration_seconds', topic, 1000),
        },
      ]),
    ),
    outbox_rounds: {
      rounds: metrics.get('tally_outbox_round_size_count') ?? 0,
      mean_size: mean('tally_outbox_round_size'),
      mean_ms: mean('tally_outbox_round_duration_seconds', undefined, 1000),
    },
  };
}

/** Event number `i` of a run: 1,000 accounts (BENCH_ACCOUNTS), 7 keys, 5 models, varied sizes. */
function benchEvent(i: number, suffix: string) {
  return {
    accountId: `acct_${i % ACCOUNTS}`,
    apiKeyId: `key_${i % 7}`,
    service: 'llm' as const,
    model: MODELS[i % MODELS.length]!,
    inputTokens: 500 + (i % 1000),
    outputTokens: 100 + (i % 300),
    id: `bench_${suffix}_${i}`,
  };
}

/** Opens the even accounts and puts them on BENCH_PLAN; the odd ones are opened by their usage. */
async function assignBenchPlan(harness: ServiceHarness): Promise<void> {
  const commands = await new CommandClient(
    harness.isolation.kafkaBrokers,
    harness.isolation.suffix,
    ['ledger.set-plan', 'ledger.create-account', 'ledger.assign-plan'],
  ).connect();
  await commands.send('ledger.set-plan', {
    name: BENCH_PLAN.name,
    markup_percent_paid: BENCH_PLAN.markupPercentPaid.toFixed(),
    volume_discount_tiers: BENCH_PLAN.volumeTiers.map((tier) => ({
      from_tokens: tier.fromTokens,
      percent: tier.percent.toFixed(),
    })),
  });
  const planned = Array.from({ length: ACCOUNTS }, (_, i) => i).filter(onBenchPlan);
  for (let from = 0; from < planned.length; from += 50) {
    await Promise.all(
      planned.slice(from, from + 50).map(async (i) => {
        await commands.send('ledger.create-account', { account_id: `acct_${i}`, name: 'bench' });
        const reply = await commands.send<{ error_code?: string }>('ledger.assign-plan', {
          account_id: `acct_${i}`,
          plan: BENCH_PLAN.name,
        });
        if (reply.error_code) throw new Error(`assign-plan acct_${i}: ${reply.error_code}`);
      }),
    );
  }
  await commands.close();
  console.log(`bench: ${planned.length} of ${ACCOUNTS} accounts on ${BENCH_PLAN.name}`);
}

/**
 * Every account's ledger revenue must equal what its events are charged, rated and charged
 * independently here, in each account's order: provider cost, or on BENCH_PLAN cost + markup −
 * the volume discount by the account's tokens before each event (all in one calendar month).
 */
async function checkTotals(
  databaseUrl: string,
  schema: string,
  events: Iterable<ReturnType<typeof benchEvent>>,
): Promise<boolean> {
  const catalog = defaultCatalog();
  const expected = new Map<string, Decimal>();
  const tokensSoFar = new Map<string, number>();
  const terms = { plan: BENCH_PLAN, couponPercent: new Decimal(0) };
  const now = new Date();
  for (const input of events) {
    const parsed = parseUsageEvent(JSON.stringify(buildUsageEvent(input, 'bench')), { now });
    if (!parsed.ok) throw new Error(parsed.error);
    const rated = rateUsage(parsed.value, catalog);
    let charged = new Decimal(rated.cost);
    if (onBenchPlan(Number(input.accountId.slice('acct_'.length)))) {
      const tokens = usageTokens(rated);
      const before = tokensSoFar.get(input.accountId) ?? 0;
      charged = chargeUsage(
        { cost: charged, tokens, freeModel: isFreeModel(rated.provider, rated.model) },
        terms,
        before,
      ).charged;
      tokensSoFar.set(input.accountId, before + tokens);
    }
    expected.set(input.accountId, (expected.get(input.accountId) ?? new Decimal(0)).plus(charged));
  }
  const rows = await queryDatabase<{ account_id: string; balance: string }>(
    databaseUrl,
    // Every account but the authorization phases' own, which post no usage.
    `SELECT account_id, balance::text AS balance FROM "${schema}".ledger_accounts WHERE code = 'revenue' AND account_id NOT LIKE 'acct\\_bench\\_auth\\_%'`,
  );
  const [{ total }] = (await queryDatabase<{ total: string }>(
    databaseUrl,
    `SELECT coalesce(sum(amount), 0)::text AS total FROM "${schema}".postings`,
  )) as [{ total: string }];
  const mismatches = rows.filter(
    (row) => !new Decimal(row.balance).equals(expected.get(row.account_id) ?? 0),
  );
  const exact =
    mismatches.length === 0 && rows.length === expected.size && new Decimal(total).isZero();
  console.log(
    `bench: totals ${exact ? 'exact' : 'WRONG'} (${rows.length} accounts, ${mismatches.length} mismatches, postings sum ${total})`,
  );
  return exact;
}

/**
 * The same machine's ceilings: consume-only over the produced records, batched inserts, and
 * the cost of a statement round trip.
 */
async function rawCeilings(
  brokers: string[],
  databaseUrl: string,
  topic: string,
): Promise<{
  kafkaConsumePerS: number;
  pgInsertRowsPerS: number;
  pgRoundTrip: Record<'client' | 'postgres' | 'machine', number>;
}> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({
    groupId: `bench-raw-${Date.now()}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let firstAt = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (!firstAt) firstAt = Date.now();
        for (const message of batch.messages) JSON.parse(message.value!.toString('utf8'));
        consumed += batch.messages.length;
        if (consumed >= EVENTS) resolve(Date.now());
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  const kafkaConsumePerS = EVENTS / ((end - firstAt) / 1000);

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    'CREATE TEMP TABLE bench_rows (account_id text, id text, amount numeric(38,12), PRIMARY KEY (account_id, id))',
  );
  const rows = 200_000;
  const startedPg = Date.now();
  for (let start = 0; start < rows; start += 2000) {
    const ids = Array.from({ length: 2000 }, (_, i) => String(start + i));
    await client.query('BEGIN');
    await client.query(
      'INSERT INTO bench_rows SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[])',
      [ids.map((id) => `acct_${Number(id) % ACCOUNTS}`), ids, ids.map(() => '0.000450')],
    );
    await client.query('COMMIT');
  }
  const pgInsertRowsPerS = rows / ((Date.now() - startedPg) / 1000);
  const pgRoundTrip = await pgRoundTripCpu(client);
  await client.end();
  return { kafkaConsumePerS, pgInsertRowsPerS, pgRoundTrip };
}

/**
 * CPU of one round trip of a prepared statement that does nothing (`SELECT $1::int`), one after
 * another on one connection: what each statement of a request costs before it does any work.
 */
async function pgRoundTripCpu(client: Client) {
  const statement = (i: number) => ({ name: 'bench_nothing', text: 'SELECT $1::int', values: [i] });
  for (let i = 0; i < 1_000; i += 1) await client.query(statement(i));
  const trips = 10_000;
  const before = cpuSnapshot(undefined, undefined);
  for (let i = 0; i < trips; i += 1) await client.query(statement(i));
  const { bench, postgres, machine } = cpuSpent(before, cpuSnapshot(undefined, undefined), trips);
  return { client: bench, postgres, machine };
}

/**
 * Per minute of the first phase, each service's highest RSS and its lowest and highest heap
 * in use: flat minutes at steady load mean no leak; a lowest heap that climbs means one.
 */
function memoryByMinute(samples: Sample[]) {
  const minutes = new Map<number, Sample[]>();
  for (const sample of samples) {
    const minute = Math.floor(sample.t / 60);
    const inMinute = minutes.get(minute) ?? [];
    inMinute.push(sample);
    minutes.set(minute, inMinute);
  }
  const of = (inMinute: Sample[], service: 'metering' | 'ledger') => ({
    peak_rss_mb: Math.max(...inMinute.map((s) => s.rss_mb[service])),
    heap_used_mb: {
      low: Math.min(...inMinute.map((s) => s.heap_mb[service])),
      high: Math.max(...inMinute.map((s) => s.heap_mb[service])),
    },
  });
  return [...minutes].map(([minute, inMinute]) => ({
    minute,
    metering: of(inMinute, 'metering'),
    ledger: of(inMinute, 'ledger'),
  }));
}

function steadyRate(samples: Sample[], field: 'rated' | 'posted'): number {
  const moving = samples.filter((sample, i) => i > 0 && sample[field] > samples[i - 1]![field]);
  if (moving.length < 2) return 0;
  const first = moving[0]!;
  const last = moving[moving.length - 1]!;
  return (last[field] - first[field]) / (last.t - first.t || 1);
}

/** Rows written (inserted, updated, deleted) so far per table of the given schemas, and in all. */
async function rowsWritten(
  databaseUrl: string,
  schemas: string[],
): Promise<Record<string, number>> {
  // A partition's rows count as its table's (the outbox is partitioned by day).
  const rows = await queryDatabase<{ name: string; written: number }>(
    databaseUrl,
    `SELECT s.schemaname || '.' || coalesce(parent.relname, s.relname) AS name,
            (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::float8 AS written
     FROM pg_stat_user_tables s
     LEFT JOIN pg_inherits i ON i.inhrelid = s.relid
     LEFT JOIN pg_class parent ON parent.oid = i.inhparent
     WHERE s.schemaname = ANY($1::text[])`,
    [schemas],
  );
  const written: Record<string, number> = { total: 0 };
  for (const row of rows) {
    const table = row.name.replace(/_t[0-9a-z]+\./, '.');
    written[table] = (written[table] ?? 0) + row.written;
    written['total'] = (written['total'] ?? 0) + row.written;
  }
  return written;
}

/** Records each service's outbox relay has published so far, and in all. */
async function recordsPublished(
  meteringPort: number,
  ledgerPort: number,
): Promise<Record<string, number>> {
  const [metering, ledger] = await Promise.all([
    serviceFigures(meteringPort),
    serviceFigures(ledgerPort),
  ]);
  return {
    total: metering.published + ledger.published,
    metering: metering.published,
    ledger: ledger.published,
  };
}

/** (after − before) / events for each key, to two decimals. */
function perEvent(
  before: Record<string, number>,
  after: Record<string, number>,
  events: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, round2((value - (before[key] ?? 0)) / events)] as const)
      .filter(([, value]) => value > 0),
  );
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

function pgVersion(): string {
  try {
    return execSync('psql -tA -h 127.0.0.1 -U postgres -d postgres -c "SHOW server_version"')
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Throughput (events/s per second of run) and lag (produced − posted) over time. */
function chart(samples: Sample[], total: number): string {
  const width = 800;
  const height = 300;
  const maxT = Math.max(1, ...samples.map((s) => s.t));
  const rates = samples.map((s, i) => ({
    t: s.t,
    posted: i === 0 ? 0 : (s.posted - samples[i - 1]!.posted) / (s.t - samples[i - 1]!.t || 1),
    lag: Math.max(0, s.produced - s.posted),
  }));
  const maxRate = Math.max(1, ...rates.map((r) => r.posted));
  const x = (t: number) => 50 + (t / maxT) * (width - 70);
  const yRate = (v: number) => height - 30 - (v / maxRate) * (height - 60);
  const yLag = (v: number) => height - 30 - (v / Math.max(1, total)) * (height - 60);
  const line = (points: Array<[number, number]>) =>
    points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="50" y="18">Tally bench: postings/s (blue, max ${Math.round(maxRate)}) and lag in events (red, of ${total}) over ${maxT.toFixed(0)} s</text>
<line x1="50" y1="${height - 30}" x2="${width - 20}" y2="${height - 30}" stroke="#999"/>
<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="${line(rates.map((r) => [x(r.t), yRate(r.posted)]))}"/>
<polyline fill="none" stroke="#d1242f" stroke-width="2" points="${line(rates.map((r) => [x(r.t), yLag(r.lag)]))}"/>
</svg>
`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
