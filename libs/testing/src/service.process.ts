import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { serviceNodeArgs } from '@tally/platform';
import { eventually } from './eventually';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/** A Tally service running as its own OS process, as in production: it can be SIGKILLed. */
export class ServiceProcess {
  private readonly output: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly service: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 500) this.output.shift();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * Starts the service from dist/ (compiled from the current source the first time in this
   * process, so a test never runs stale code) and waits until its /health answers 200.
   */
  static async start(
    service: string,
    env: Record<string, string>,
    timeoutMs = 60_000,
  ): Promise<ServiceProcess> {
    buildOnce();
    const port = await freePort();
    // TALLY_SERVICE_NODE_ARGS adds node flags to every service, e.g. `--max-old-space-size=200`.
    const nodeArgs = (process.env['TALLY_SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, ...serviceNodeArgs(service)], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle = new ServiceProcess(service, port, child);
    try {
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}`);
          const response = await fetch(`http://127.0.0.1:${port}/health`);
          if (response.status !== 200)
            throw new Error(`${service} /health answered ${response.status}`);
        },
        timeoutMs,
        250,
      );
    } catch (error) {
      handle.child.kill('SIGKILL');
      throw new Error(`${service} did not become healthy: ${String(error)}\n${handle.logs()}`);
    }
    return handle;
  }

  /**
   * Runs the service as `start` would and waits for it to exit, at most `timeoutMs` (then it is
   * SIGKILLed and the code is null): what a start with a configuration it must refuse does.
   */
  static async exitOf(
    service: string,
    env: Record<string, string>,
    timeoutMs = 20_000,
  ): Promise<{ code: number | null; output: string }> {
    buildOnce();
    const child = spawn(process.execPath, serviceNodeArgs(service), {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, PORT: String(await freePort()), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle = new ServiceProcess(service, 0, child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await handle.exited;
    clearTimeout(timer);
    return { code, output: handle.logs() };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logs(): string {
    return this.output.join('');
  }

  /** SIGKILL: no shutdown hook runs, exactly like a crash. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait: consumers leave the group and the outbox drains. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

let built = false;

function buildOnce(): void {
  if (built) return;
  // On failure execFileSync throws with the build's stderr in the message.
  execFileSync(process.execPath, ['infra/build.js'], { cwd: WORKSPACE_ROOT, stdio: 'pipe' });
  built = true;
}

/**
 * A TCP port nothing listens on right now, below the kernel's ephemeral range (32768 and up on
 * Linux): a service binds it seconds later, and a port from that range could meanwhile be taken by
 * any process's bind(0) or outgoing connection. Only another freePort can pick it in between.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const port = FIRST_PORT + Math.floor(Math.random() * PORTS);
    if (await listenable(port)) return port;
    if (attempt >= 100) throw new Error(`no free port in ${FIRST_PORT}-${FIRST_PORT + PORTS - 1}`);
  }
}

const FIRST_PORT = 20_000;
const PORTS = 12_000;

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
