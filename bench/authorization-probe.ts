/**
 * `node -r @swc-node/register bench/authorization-probe.ts`: where a ledger's CPU per
 * authorization goes, in closed loops on a real broker and database (PROBE_CONCURRENCY
 * requests in flight, default 16, PROBE_REQUESTS per round, default 6,000; PROBE_KINDS, a
 * comma-separated subset of the kinds below, e.g. for a profile of granted requests alone).
 *
 * Each round sends one kind of request to one ledger process and reads the CPU the ledger and
 * PostgreSQL used per request from /proc: `refused_body` passes the HTTP edge, the API key and
 * Nest's routing and is refused by validation (422), `granted` is a whole authorization (201).
 * The first is what the HTTP stack costs before any authorization work; the difference is the
 * authorization's own. With PROBE_RATE (requests/s) the requests start on that schedule instead
 * (open loop, as the bench sends them), for a profile of the ledger at the bench's pace; the
 * round then also reports latency and, per second, the requests slower than PROBE_SLOW_MS
 * (default 20), to match stalls with other logs. The latency targets are `npm run bench`'s.
 */
import http from 'node:http';
import { ServiceHarness } from '@tally/testing';
import { openAccountsWithKeys, postAuthorization } from './authorization-client';
import { cpuSnapshot, cpuSpent, cpuWaitMark, cpuWaitShare } from './cpu';

const REQUESTS = Number(process.env['PROBE_REQUESTS'] ?? 6_000);
const CONCURRENCY = Number(process.env['PROBE_CONCURRENCY'] ?? 16);
const ROUNDS = Number(process.env['PROBE_ROUNDS'] ?? 3);
const RATE = process.env['PROBE_RATE'] ? Number(process.env['PROBE_RATE']) : undefined;
const ACCOUNTS = 50;
const SLOW_MS = Number(process.env['PROBE_SLOW_MS'] ?? 20);
const BODIES = {
  refused_body: JSON.stringify({ estimated_cost: 'nope', ttl_seconds: 60 }),
  granted: JSON.stringify({ estimated_cost: '0.001', ttl_seconds: 60 }),
};
type Kind = keyof typeof BODIES;
const KINDS = (process.env['PROBE_KINDS']?.split(',') ?? Object.keys(BODIES)) as Kind[];
for (const kind of KINDS) if (!(kind in BODIES)) throw new Error(`PROBE_KINDS: no kind ${kind}`);

async function main(): Promise<void> {
  const harness = new ServiceHarness(undefined, { DB_POOL_SIZE: '8' });
  await harness.start('ledger');
  const [ledger] = harness.running('ledger');
  // Credit for far more than a run holds.
  const secrets = await openAccountsWithKeys(harness, 'probe', ACCOUNTS, '100000');
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  const round = async (kind: Kind, requests: number) => {
    const statuses: Record<number, number> = {};
    let sent = 0;
    const loop = async () => {
      while (sent < requests) {
        const secret = secrets[sent++ % secrets.length];
        const status = await postAuthorization(agent, ledger!.port, BODIES[kind], secret);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    };
    // Open loop: latency counts from when a request was due (or sent, if earlier), as in the
    // bench, so a stall of the client itself counts too.
    const latencies: number[] = [];
    const slow: Array<{ at: string; ms: number }> = [];
    const openLoop = async () => {
      const started = performance.now();
      const pending: Array<Promise<void>> = [];
      for (let i = 0; i < requests; i += 1) {
        const due = started + (i * 1000) / RATE!;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const secret = secrets[i % secrets.length];
        // A request sent up to 1 ms early (no timer waits less) is timed from when it left.
        const from = Math.min(due, performance.now());
        pending.push(
          postAuthorization(agent, ledger!.port, BODIES[kind], secret).then((status) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
            const ms = performance.now() - from;
            latencies.push(ms);
            if (ms > SLOW_MS)
              slow.push({ at: new Date(performance.timeOrigin + from).toISOString(), ms });
          }),
        );
      }
      await Promise.all(pending);
    };
    const before = cpuSnapshot(undefined, ledger!.pid);
    const waitBefore = cpuWaitMark();
    await (RATE ? openLoop() : Promise.all(Array.from({ length: CONCURRENCY }, loop)));
    const {
      ledger: ledgerUs,
      postgres,
      bench: client,
    } = cpuSpent(before, cpuSnapshot(undefined, ledger!.pid), requests);
    return {
      kind,
      statuses,
      cpu_us_per_request: { ledger: ledgerUs, postgres, client },
      cpu_wait_share: cpuWaitShare(waitBefore, cpuWaitMark()),
      ...(RATE ? { latency_ms: latencySummary(latencies), slow: clusters(slow) } : {}),
    };
  };

  // A warm-up of each kind (JIT, pools, prepared statements), then the measured rounds.
  for (const kind of KINDS) await round(kind, 2_000);
  for (let i = 0; i < ROUNDS; i += 1)
    for (const kind of KINDS) console.log(JSON.stringify(await round(kind, REQUESTS)));
  agent.destroy();
  await harness.stop();
}

function latencySummary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(2));
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

/** Slow requests grouped by the second they were due in: when the stalls happened. */
function clusters(slow: Array<{ at: string; ms: number }>) {
  const bySecond = new Map<string, { requests: number; max_ms: number }>();
  for (const { at, ms } of slow) {
    const second = at.slice(0, 19);
    const entry = bySecond.get(second) ?? { requests: 0, max_ms: 0 };
    entry.requests += 1;
    entry.max_ms = Math.max(entry.max_ms, Number(ms.toFixed(1)));
    bySecond.set(second, entry);
  }
  return Object.fromEntries(bySecond);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
