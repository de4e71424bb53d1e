import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './operate-files';

/**
 * A script of infra/ run with the commands it starts stubbed out on PATH (each exits with the
 * code given): what it prints about the database, nothing else runs.
 */
function scriptOutput(
  script: string,
  env: Record<string, string>,
  stubs: Record<string, number>,
  pathTail = ':/usr/bin:/bin',
): { status: number | null; output: string } {
  const directory = mkdtempSync(path.join(tmpdir(), 'tally-script-'));
  try {
    for (const [command, code] of Object.entries(stubs)) {
      const stub = path.join(directory, command);
      writeFileSync(stub, `#!/bin/sh\nexit ${code}\n`);
      chmodSync(stub, 0o755);
    }
    const run = spawnSync('/bin/bash', [path.join(ROOT, script)], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: `${directory}${pathTail}`, ...env },
      timeout: 10_000,
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** infra/run.sh with the broker script (`bash`), the build and the services (`node`) stubbed. */
function runScriptOutput(databaseUrl: string): string {
  const run = scriptOutput(
    'infra/run.sh',
    { DATABASE_URL: databaseUrl, KAFKA_SASL: '0' },
    { bash: 0, node: 0 },
  );
  expect(run.status).toBe(0);
  return run.output;
}

describe('infra/run.sh names the database it uses', () => {
  it('with the password masked, the user, host and database kept', () => {
    const output = runScriptOutput('postgres://tally:S3cret-pw@db.internal:5432/tally');
    expect(output).not.toContain('S3cret-pw');
    expect(output).toContain('PostgreSQL: postgres://tally:***@db.internal:5432/tally');
  });

  it('a password holding @ or : is masked whole', () => {
    const output = runScriptOutput('postgresql://app:pa:ss@word@10.0.0.5/billing?sslmode=require');
    expect(output).not.toContain('pa:ss');
    expect(output).not.toContain('word@');
    expect(output).toContain('PostgreSQL: postgresql://app:***@10.0.0.5/billing?sslmode=require');
  });

  it('a URL without a password is shown as it is', () => {
    expect(runScriptOutput('postgres://postgres@127.0.0.1:5432/test')).toContain(
      'PostgreSQL: postgres://postgres@127.0.0.1:5432/test',
    );
  });
});

describe('the test scripts name the database without its password (CI logs are read by many)', () => {
  const DATABASE_URL = 'postgres://ci:Ci-S3cret@db.ci.internal:5432/tally_ci';

  it('infra/test.sh', () => {
    const run = scriptOutput(
      'infra/test.sh',
      { DATABASE_URL, KAFKA_BROKERS: '127.0.0.1:9092' },
      { bash: 0, npx: 0 },
    );
    expect(run.status).toBe(0);
    expect(run.output).not.toContain('Ci-S3cret');
    expect(run.output).toContain(
      '== integration tests (Kafka 127.0.0.1:9092, PostgreSQL postgres://ci:***@db.ci.internal:5432/tally_ci)',
    );
  });

  it('infra/postgres/ensure-postgres.sh, when the database does not answer', () => {
    // Only the stubs on PATH: no pg_ctlcluster, so the script gives up and says where it looked.
    const run = scriptOutput(
      'infra/postgres/ensure-postgres.sh',
      { DATABASE_URL },
      { pg_isready: 1 },
      '',
    );
    expect(run.status).toBe(1);
    expect(run.output).not.toContain('Ci-S3cret');
    expect(run.output).toContain(
      'PostgreSQL does not answer at postgres://ci:***@db.ci.internal:5432/tally_ci.',
    );
  });
});
