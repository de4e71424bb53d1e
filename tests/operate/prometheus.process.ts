import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually, freePort } from '@tally/testing';

export interface ScrapeTarget {
  readonly job: string;
  readonly address: string;
}

export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly value: string;
}

export interface PrometheusSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/**
 * A real Prometheus server (the Debian package's binary, or PROMETHEUS_BIN) on a free port
 * with a config and data directory of its own, scraping the given targets and evaluating the
 * given rule files every `intervalSeconds`.
 */
export class PrometheusProcess {
  private readonly output: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly directory: string,
  ) {
    const collect = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: {
    targets: ScrapeTarget[];
    ruleFiles: string[];
    intervalSeconds: number;
  }): Promise<PrometheusProcess> {
    const directory = mkdtempSync(path.join(tmpdir(), 'tally-prometheus-'));
    const interval = `${options.intervalSeconds}s`;
    // JSON is YAML: Prometheus reads this file as its config.
    const config = {
      global: {
        scrape_interval: interval,
        evaluation_interval: interval,
        scrape_timeout: interval,
      },
      rule_files: options.ruleFiles,
      scrape_configs: options.targets.map((target) => ({
        job_name: target.job,
        metrics_path: '/metrics',
        static_configs: [{ targets: [target.address] }],
      })),
    };
    const configFile = path.join(directory, 'prometheus.yml');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const port = await freePort();
    const child = spawn(
      process.env['PROMETHEUS_BIN'] ?? 'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(directory, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(
          new Error(
            `cannot start prometheus (${error.message}): apt-get install -y --no-install-recommends prometheus, or set PROMETHEUS_BIN`,
          ),
        ),
      );
    });
    const server = new PrometheusProcess(`http://127.0.0.1:${port}`, child, directory);
    try {
      await spawned;
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
          const response = await fetch(`${server.url}/-/ready`);
          if (response.status !== 200) throw new Error(`/-/ready answered ${response.status}`);
        },
        30_000,
        200,
      );
    } catch (error) {
      await server.stop();
      throw new Error(`prometheus did not become ready: ${String(error)}\n${server.logs()}`);
    }
    return server;
  }

  logs(): string {
    return this.output.join('');
  }

  /** Active alerts (pending and firing), from Prometheus's own HTTP API. */
  async alerts(): Promise<PrometheusAlert[]> {
    const body = await this.api<{ alerts: PrometheusAlert[] }>('/api/v1/alerts');
    return body.alerts;
  }

  /** An instant query's samples. */
  async query(expression: string): Promise<PrometheusSample[]> {
    const body = await this.api<{ resultType: string; result: PrometheusSample[] }>(
      `/api/v1/query?query=${encodeURIComponent(expression)}`,
    );
    return body.result;
  }

  /** Every rule's health and when its group last ran, from Prometheus's rules API. */
  async rules(): Promise<Array<{ name: string; health: string; lastEvaluation: string }>> {
    const body = await this.api<{
      groups: Array<{ rules: Array<{ name: string; health: string; lastEvaluation: string }> }>;
    }>('/api/v1/rules');
    return body.groups.flatMap((group) => group.rules);
  }

  /** The health of every scrape target, by job. */
  async targetHealth(): Promise<Record<string, string>> {
    const body = await this.api<{
      activeTargets: Array<{ labels: Record<string, string>; health: string }>;
    }>('/api/v1/targets?state=active');
    return Object.fromEntries(
      body.activeTargets.map((target) => [target.labels['job'] ?? '', target.health]),
    );
  }

  async stop(): Promise<void> {
    if (
      this.child.pid !== undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    ) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async api<T>(pathAndQuery: string): Promise<T> {
    const response = await fetch(`${this.url}${pathAndQuery}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.error ?? 'failed'}`);
    return body.data;
  }
}
