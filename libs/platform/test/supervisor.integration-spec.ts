import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../src';
import { eventually } from './eventually';

/** A node process that exits with code 1 on its first `crashes` runs, then stays up. */
function flaky(name: string, dir: string, crashes: number) {
  const runs = join(dir, `${name}.runs`);
  const script = `
    const fs = require('node:fs');
    fs.appendFileSync(${JSON.stringify(runs)}, 'x');
    const run = fs.readFileSync(${JSON.stringify(runs)}, 'utf8').length;
    if (run <= ${crashes}) { console.error('boom ' + run); process.exit(1); }
    console.log('up on run ' + run);
    setInterval(() => undefined, 1000);
  `;
  return {
    spec: { name, command: process.execPath, args: ['-e', script] },
    runs: () => readFileSync(runs, 'utf8').length,
  };
}

describe('Supervisor: a crashed process is started again, with backoff, and it says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-supervisor-'));
  const lines: Array<{ level: string; line: string }> = [];
  const output: string[] = [];
  let supervisor: Supervisor;

  beforeEach(() => {
    lines.length = 0;
    output.length = 0;
    supervisor = new Supervisor({
      initialDelayMs: 100,
      maxDelayMs: 400,
      resetAfterMs: 60_000,
      log: (level, line) => lines.push({ level, line }),
      output: (name, chunk) => output.push(`[${name}] ${chunk.toString('utf8').trim()}`),
    });
  });
  afterEach(() => supervisor.stop(2000));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts a process that exited with code 1 and warns (not an error) with the code and the wait', async () => {
    const service = flaky('ledger', dir, 1);
    supervisor.start(service.spec);
    await eventually(() => expect(output).toContain('[ledger] up on run 2'), 10_000);
    expect(supervisor.restartsOf('ledger')).toBe(1);
    expect(supervisor.pidOf('ledger')).toEqual(expect.any(Number));
    expect(lines).toEqual([
      {
        level: 'warn',
        line: expect.stringMatching(
          /^ledger exited \(code 1\) after \d+\.\d s; restarting it in 0\.1 s \(restart 1\)$/,
        ),
      },
    ]);
    expect(output).toContain('[ledger] boom 1');
  });

  it('doubles the wait for each crash in a row, up to the maximum', async () => {
    const service = flaky('metering', dir, 4);
    supervisor.start(service.spec);
    await eventually(() => expect(output).toContain('[metering] up on run 5'), 15_000);
    expect(service.runs()).toBe(5);
    expect(lines.map(({ line }) => line.replace(/ after \d+\.\d s/, ''))).toEqual([
      'metering exited (code 1); restarting it in 0.1 s (restart 1)',
      'metering exited (code 1); restarting it in 0.2 s (restart 2)',
      'metering exited (code 1); restarting it in 0.4 s (restart 3)',
      'metering exited (code 1); restarting it in 0.4 s (restart 4)',
    ]);
    expect(lines.every(({ level }) => level === 'warn')).toBe(true);
  });

  it('restarts nothing once it is stopping', async () => {
    const service = flaky('admin', dir, 0);
    supervisor.start(service.spec);
    await eventually(() => expect(output).toContain('[admin] up on run 1'), 10_000);
    await supervisor.stop(2000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.runs()).toBe(1);
    expect(supervisor.pidOf('admin')).toBeUndefined();
    expect(lines).toEqual([{ level: 'log', line: 'admin stopped (signal SIGTERM)' }]);
  });
});
