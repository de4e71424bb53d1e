import { readFileSync } from 'node:fs';

/** Whole disks in /proc/diskstats (not partitions, loop, RAM or device-mapper devices). */
const WHOLE_DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme\d+n\d+)$/;
const SAMPLE_MS = 100;

/**
 * What the machine's disks wrote during a phase, sampled every 100 ms, to tell which seconds
 * a commit's WAL flush queued behind a writeback burst: the kernel writing at once pages
 * others left dirty (a broker never syncs its log).
 */
export class DiskWrites {
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private readonly timer: NodeJS.Timeout;

  private constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  /** Undefined where /proc/diskstats names no whole disk. */
  static start(): DiskWrites | undefined {
    return writtenBytes() === undefined ? undefined : new DiskWrites();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** MB written between two epoch ms, from the samples nearest to them. */
  writtenMb(from: number, to: number): number {
    const at = (time: number) =>
      this.samples.reduce((best, s) =>
        Math.abs(s.at - time) < Math.abs(best.at - time) ? s : best,
      );
    return Math.round((at(to).bytes - at(from).bytes) / 1e5) / 10;
  }

  private sample(): void {
    this.samples.push({ at: Date.now(), bytes: writtenBytes() ?? 0 });
  }
}

/** The page cache's dirty pages in MB (/proc/meminfo), what a writeback burst would write. */
export function dirtyMb(): number | undefined {
  const dirty = /^Dirty:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return dirty ? Math.round(Number(dirty[1]) / 1024) : undefined;
}

/** Bytes written so far to whole disks (sectors of 512 bytes), or undefined without any. */
function writtenBytes(): number | undefined {
  let sectors: number | undefined;
  for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (WHOLE_DISK.test(fields[2] ?? '')) sectors = (sectors ?? 0) + Number(fields[9]);
  }
  return sectors === undefined ? undefined : sectors * 512;
}
