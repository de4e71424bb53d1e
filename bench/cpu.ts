import { readFileSync, readdirSync } from 'node:fs';

/** CPU the bench's processes have used, read from /proc: for `npm run bench` and its probes. */
export type CpuSnapshot = Record<
  'bench' | 'metering' | 'ledger' | 'kafka' | 'postgres' | 'postgres_background' | 'machine',
  number
>;

/** CPU seconds (user + system) each part of the pipeline has used so far, read from /proc. */
export function cpuSnapshot(
  meteringPid: number | undefined,
  ledgerPid: number | undefined,
): CpuSnapshot {
  const postgres = pidsWhere((command) => /^(\S*\/)?postgres\b/.test(command));
  // A client backend names its client ("postgres: 15/main: user db 127.0.0.1(5123) idle");
  // the postmaster, checkpointer, WAL writer and the like do not.
  const background = postgres.filter((pid) => !/\(\d+\)|\[local\]/.test(commandOf(pid)));
  // With TALLY_KAFKA_DATA (a broker of one's own, see infra/kafka), only that broker counts:
  // a shared one also works for other people's tests.
  const brokerData = process.env['TALLY_KAFKA_DATA'];
  const kafka = pidsWhere(
    (command) =>
      /^(\S*\/)?java\b/.test(command) &&
      command.includes('kafka.Kafka') &&
      (!brokerData || command.includes(brokerData)),
  );
  const own = process.cpuUsage();
  const [, user, nice, system] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .split(/\s+/)
    .map(Number);
  return {
    bench: (own.user + own.system) / 1e6,
    metering: ticksOf(meteringPid),
    ledger: ticksOf(ledgerPid),
    kafka: kafka.reduce((sum, pid) => sum + ticksOf(pid), 0),
    postgres: postgres.reduce((sum, pid) => sum + ticksOf(pid), 0),
    postgres_background: background.reduce((sum, pid) => sum + ticksOf(pid), 0),
    machine: (user! + nice! + system!) / 100,
  };
}

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function ticksOf(pid: number | string | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Processes whose command line (arguments joined by spaces) passes the test. */
function pidsWhere(test: (command: string) => boolean): string[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && test(commandOf(entry)));
}

/** A process's command line, arguments joined by spaces; empty when it is gone. */
function commandOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Microseconds of CPU per event each part spent between two snapshots (postgres: live backends only). */
export function cpuSpent(from: CpuSnapshot, to: CpuSnapshot, events: number): CpuSnapshot {
  const spent = {} as CpuSnapshot;
  for (const key of Object.keys(from) as Array<keyof CpuSnapshot>)
    spent[key] = Math.round(((to[key] - from[key]) * 1e6) / events);
  return spent;
}

/**
 * A mark for `cpuWaitShare`: microseconds so far in which at least one runnable task waited for
 * a CPU (the kernel's pressure stall information, "some"; undefined without /proc/pressure),
 * and when.
 */
export function cpuWaitMark(): { waitedUs: number | undefined; at: number } {
  let waitedUs: number | undefined;
  try {
    waitedUs = Number(/total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))![1]);
  } catch {
    waitedUs = undefined;
  }
  return { waitedUs, at: performance.now() };
}

/**
 * The share of the wall time between two marks in which some task waited for a CPU: how much of
 * a phase's latency can be queueing for a core rather than work.
 */
export function cpuWaitShare(
  from: ReturnType<typeof cpuWaitMark>,
  to: ReturnType<typeof cpuWaitMark>,
): number | null {
  if (from.waitedUs === undefined || to.waitedUs === undefined) return null;
  return Math.round(((to.waitedUs - from.waitedUs) / ((to.at - from.at) * 1000)) * 1000) / 1000;
}
