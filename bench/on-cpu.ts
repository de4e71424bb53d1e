/**
 * Where each service's CPU goes, from `perf` samples rather than V8's profiler.
 *
 * V8's profiler samples wall time: a thread that the kernel preempted (say, right after its
 * write woke PostgreSQL on a 2-core host) is charged to whatever it was running, so socket
 * writes look expensive. `perf record -e cpu-clock` samples only threads on a CPU, including
 * the V8 helper threads that do most of the GC. See docs/benchmarks/README.md for the commands.
 *
 *   node -r @swc-node/register bench/on-cpu.ts /tmp/perf.txt
 *
 * The input is `perf script -F pid,tid,ip,sym,dso` of a run whose services had
 * `--perf-basic-prof` (JIT frames named by source file). Each sample goes to one owner: GC if
 * any frame is the collector's, otherwise the innermost frame that is ours or a library's.
 *
 * A JIT frame is named again from its process's map (/tmp/perf-<pid>.map): V8 reuses the
 * addresses of collected code and appends the new code's name, but perf names such an address
 * after one of the entries, often the first, long collected. The newest entry covering the
 * address is the code that ran there, if the map is read as it was when sampling stopped: copy
 * the maps as soon as `perf record` ends and name the copies' directory in ON_CPU_MAPS.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Sample {
  readonly pid: string;
  readonly tid: string;
  readonly frames: string[];
}

const MAJOR_GC = /MarkCompact|Sweep|ConcurrentMarking|MarkingVisitor|IncrementalMarking/;
const GC = new RegExp(`Scaveng|Heap::|heap::|${MAJOR_GC.source}`);
const SERVICE = /\/dist\/apps\/([a-z-]+)\//;
const OURS = /JS:\S* \S*?\/dist\/((?:apps|libs)\/\S+?):\d+/;
const OWNERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['kernel', /\[kernel\.kallsyms\]/],
  ['decimal.js', /node_modules\/decimal\.js/],
  ['kafkajs', /node_modules\/kafkajs/],
  ['pg', /node_modules\/pg(-protocol)?\//],
  ['typeorm', /node_modules\/typeorm/],
  ['zod', /node_modules\/zod/],
  ['fastify', /node_modules\/fastify/],
  ['nestjs', /node_modules\/@nestjs/],
  ['prom-client', /node_modules\/prom-client/],
  ['other libraries', /node_modules\//],
  ['node', / node:/],
  ['JSON.parse', /JsonParse/],
  ['JSON.stringify', /JsonStringif/],
];

const PERF_MAP = /\((\/tmp\/perf-\d+\.map)\)$/;

function readSamples(text: string): Sample[] {
  const maps = new Map<string, PerfMap>();
  const copies = process.env['ON_CPU_MAPS'];
  const mapOf = (file: string) => {
    let map = maps.get(file);
    if (!map)
      maps.set(file, (map = PerfMap.read(copies ? path.join(copies, path.basename(file)) : file)));
    return map;
  };
  const samples: Sample[] = [];
  let current: Sample | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!line.startsWith('\t')) {
      const [pid = '', tid = ''] = (line.trim().split(/\s+/)[0] ?? '').split('/');
      current = { pid, tid, frames: [] };
      samples.push(current);
      continue;
    }
    const [, ip = '', frame = ''] = /^\s*([0-9a-f]+) (.*)$/.exec(line) ?? [];
    const map = PERF_MAP.exec(frame);
    const newest = map ? mapOf(map[1]!).nameAt(parseInt(ip, 16)) : undefined;
    current?.frames.push(newest ? `${newest} (${map![1]})` : frame);
  }
  return samples;
}

/** A process's perf map: each piece of JIT code V8 made, in the order it made them. */
class PerfMap {
  private constructor(
    /** Entries sorted by start address: [start, end, name, order of writing]. */
    private readonly entries: ReadonlyArray<readonly [number, number, string, number]>,
    private readonly longest: number,
  ) {}

  static read(file: string): PerfMap {
    const entries: Array<[number, number, string, number]> = [];
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const [, start = '', size = '', name = ''] =
          /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line) ?? [];
        if (name)
          entries.push([
            parseInt(start, 16),
            parseInt(start, 16) + parseInt(size, 16),
            name,
            entries.length,
          ]);
      }
    }
    entries.sort((a, b) => a[0] - b[0]);
    return new PerfMap(
      entries,
      entries.reduce((longest, [start, end]) => Math.max(longest, end - start), 0),
    );
  }

  /** The name of the newest code covering `ip`, if any. */
  nameAt(ip: number): string | undefined {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.entries[middle]![0] <= ip) low = middle + 1;
      else high = middle;
    }
    let newest: readonly [number, number, string, number] | undefined;
    for (let i = low - 1; i >= 0 && this.entries[i]![0] > ip - this.longest; i -= 1) {
      const entry = this.entries[i]!;
      if (ip < entry[1] && (!newest || entry[3] > newest[3])) newest = entry;
    }
    return newest?.[2];
  }
}

function ownerOf(sample: Sample): string {
  const stack = sample.frames.join('\n');
  if (GC.test(stack)) return MAJOR_GC.test(stack) ? 'GC (major)' : 'GC (scavenges)';
  for (const [index, frame] of sample.frames.entries()) {
    // A frame entered from C++ is node's own (a tick, a timer, a stream callback).
    if (sample.frames[index + 1]?.startsWith('Builtins_JSEntryTrampoline')) break;
    const ours = OURS.exec(frame);
    if (ours) return `ours: ${ours[1]}`;
    const owner = OWNERS.find(([, pattern]) => pattern.test(frame));
    if (owner) return owner[0];
  }
  return 'V8 and node natives';
}

function report(samples: readonly Sample[]): void {
  const services = new Map<string, string>();
  for (const sample of samples) {
    if (services.has(sample.pid)) continue;
    const service = sample.frames.map((frame) => SERVICE.exec(frame)?.[1]).find(Boolean);
    if (service) services.set(sample.pid, service);
  }
  for (const [pid, service] of services) {
    const own = samples.filter((sample) => sample.pid === pid);
    const counts = new Map<string, number>();
    for (const sample of own) {
      const owner = ownerOf(sample);
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    const helpers = own.filter((sample) => sample.tid !== pid).length;
    console.log(
      `\n${service} (pid ${pid}): ${own.length} samples, ${percent(helpers, own.length)} on helper threads`,
    );
    for (const [owner, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      console.log(`${percent(count, own.length).padStart(7)}  ${owner}`);
    }
  }
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1)} %`;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node -r @swc-node/register bench/on-cpu.ts <perf script output>');
  process.exit(2);
}
report(readSamples(readFileSync(file, 'utf8')));
