import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** A moment the canary could not run: when it resumed (epoch ms) and how long it was held. */
export interface Stall {
  readonly at: number;
  readonly ms: number;
}

/**
 * A process that does nothing but wake every 2 ms at a raised priority and note each time it
 * woke more than GAP_MS late. It shares no work with a request, and at that priority it waits
 * for a core only behind the kernel: a gap it sees is the whole machine held (a hypervisor, the
 * kernel), not our services' work. Without the right to raise its priority it runs at the
 * normal one, and then also sees queueing for a core.
 */
const GAP_MS = 15;
const CANARY = `
const stalls = [];
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last - 2 > ${GAP_MS}) stalls.push({ at: performance.timeOrigin + now, ms: now - last - 2 });
  last = now;
}, 2);
process.stdin.on('end', () => { process.stdout.write(JSON.stringify(stalls)); process.exit(0); });
process.stdin.resume();
`;

export class StallCanary {
  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {}

  static start(): StallCanary {
    const child = spawn('nice', ['-n', '-10', process.execPath, '-e', CANARY], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    return new StallCanary(child);
  }

  /** Stops it; the stalls it saw. */
  async stop(): Promise<Stall[]> {
    let out = '';
    this.child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    const exited = new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      // No `nice` or no node to start: no canary, no stalls.
      this.child.once('error', () => resolve());
    });
    this.child.stdin.end();
    await exited;
    return (JSON.parse(out || '[]') as Stall[]).map(({ at, ms }) => ({
      at: Math.round(at),
      ms: Math.round(ms),
    }));
  }
}

/**
 * Of the requests slower than `slowMs` (start and end in epoch ms), how many were in flight
 * while the canary was held: the part of the tail the machine, not our code, accounts for.
 */
export function slowRequestsDuringStalls(
  requests: ReadonlyArray<{ start: number; end: number }>,
  stalls: readonly Stall[],
  slowMs: number,
) {
  const slow = requests.filter(({ start, end }) => end - start > slowMs);
  const held = slow.filter(({ start, end }) =>
    stalls.some(({ at, ms }) => at - ms < end && at > start),
  );
  return {
    stalls: stalls.length,
    stalled_ms: stalls.reduce((sum, { ms }) => sum + ms, 0),
    longest_stall_ms: stalls.reduce((max, { ms }) => Math.max(max, ms), 0),
    [`requests_over_${slowMs}ms`]: slow.length,
    [`of_them_during_a_stall`]: held.length,
  };
}
