import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Logger } from '@nestjs/common';

/** One process to keep running. */
export interface SupervisedProcess {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface SupervisorOptions {
  /** Wait before the first restart; doubles with each crash in a row, up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A process that ran this long before it crashed starts its backoff afresh. */
  readonly resetAfterMs: number;
  /** Where the supervisor's own lines go (Nest's logger by default). */
  readonly log: (level: 'log' | 'warn', line: string) => void;
  /** Each chunk of a process's stdout and stderr. */
  readonly output: (name: string, chunk: Buffer) => void;
}

const nestLogger = new Logger('supervisor');

const DEFAULTS: SupervisorOptions = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
  log: (level, line) => (level === 'warn' ? nestLogger.warn(line) : nestLogger.log(line)),
  output: (name, chunk) =>
    process.stdout.write(chunk.toString('utf8').replace(/^(?=.)/gm, `[${name}] `)),
};

interface Supervised {
  readonly spec: SupervisedProcess;
  child: ChildProcess | undefined;
  startedAt: number;
  crashesInARow: number;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Keeps processes running, as `npm start` needs: a process that exits while the supervisor
 * is not stopping is started again after a backoff (1 s, 2 s, 4 s … 30 s), with a warning
 * that names the exit code and the wait. Containers get the same from their runtime
 * (`restart: unless-stopped` in docker-compose.yml).
 */
export class Supervisor {
  private readonly options: SupervisorOptions;
  private readonly processes = new Map<string, Supervised>();
  private stopping = false;

  constructor(options: Partial<SupervisorOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  start(spec: SupervisedProcess): void {
    if (this.processes.has(spec.name)) throw new Error(`${spec.name} is already supervised`);
    const supervised: Supervised = {
      spec,
      child: undefined,
      startedAt: 0,
      crashesInARow: 0,
      restarts: 0,
      timer: undefined,
    };
    this.processes.set(spec.name, supervised);
    this.launch(supervised);
  }

  /** How many times the named process was started again after it exited. */
  restartsOf(name: string): number {
    return this.processes.get(name)?.restarts ?? 0;
  }

  /** The pid of the named process's current run, if it is running. */
  pidOf(name: string): number | undefined {
    const child = this.processes.get(name)?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Stops every process (SIGTERM, SIGKILL after `graceMs`) and restarts none. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.processes.values()].map(async (supervised) => {
        clearTimeout(supervised.timer);
        const child = supervised.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      }),
    );
  }

  private launch(supervised: Supervised): void {
    const { spec } = supervised;
    const child = spawn(spec.command, [...spec.args], {
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervised.child = child;
    supervised.startedAt = Date.now();
    child.stdout?.on('data', (chunk: Buffer) => this.options.output(spec.name, chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.options.output(spec.name, chunk));
    child.once('error', (error) =>
      this.options.log('warn', `${spec.name} could not be started: ${error.message}`),
    );
    child.once('exit', (code, signal) => this.exited(supervised, code, signal));
  }

  private exited(supervised: Supervised, code: number | null, signal: string | null): void {
    const { name } = supervised.spec;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.stopping) {
      this.options.log('log', `${name} stopped (${how})`);
      return;
    }
    const ranMs = Date.now() - supervised.startedAt;
    supervised.crashesInARow =
      ranMs >= this.options.resetAfterMs ? 1 : supervised.crashesInARow + 1;
    const delayMs = Math.min(
      this.options.maxDelayMs,
      this.options.initialDelayMs * 2 ** (supervised.crashesInARow - 1),
    );
    this.options.log(
      'warn',
      `${name} exited (${how}) after ${formatSeconds(ranMs)}; restarting it in ` +
        `${formatSeconds(delayMs)} (restart ${supervised.restarts + 1})`,
    );
    supervised.timer = setTimeout(() => {
      if (this.stopping) return;
      supervised.restarts += 1;
      this.launch(supervised);
    }, delayMs);
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
