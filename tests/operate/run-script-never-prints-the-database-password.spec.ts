import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './operate-files';

/**
 * infra/run.sh with `bash` (the broker script) and `node` (build, services) stubbed out on
 * PATH: what it prints before the services start, nothing else runs.
 */
function runScriptOutput(databaseUrl: string): string {
  const stubs = mkdtempSync(path.join(tmpdir(), 'tally-run-sh-'));
  try {
    for (const command of ['bash', 'node']) {
      const stub = path.join(stubs, command);
      writeFileSync(stub, '#!/bin/sh\nexit 0\n');
      chmodSync(stub, 0o755);
    }
    const run = spawnSync('/bin/bash', [path.join(ROOT, 'infra/run.sh')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: `${stubs}:/usr/bin:/bin`, DATABASE_URL: databaseUrl, KAFKA_SASL: '0' },
      timeout: 10_000,
    });
    expect(run.status).toBe(0);
    return `${run.stdout}${run.stderr}`;
  } finally {
    rmSync(stubs, { recursive: true, force: true });
  }
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
