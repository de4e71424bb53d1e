import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { createDataSource } from '../src/data-source.factory';
import { assertCommitsAreDurable } from '../src/durable-commits';
import { PersistenceModule } from '../src/persistence.module';
import { databaseUrl, query } from './test-database';

/** The test database's URL, signed in as `role`. */
function urlAs(role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

describe('a service refuses commits that are not durable (ADR 0057)', () => {
  const suffix = randomBytes(4).toString('hex');
  const schema = `durable_${suffix}`;
  // An operator's setting for the service's role: what the service's own options do not override.
  const role = `tally_async_${suffix}`;
  const roleUrl = urlAs(role);

  const commitsFor = (level: string) =>
    query(`ALTER ROLE "${role}" SET synchronous_commit = ${level}`);

  beforeAll(() => query(`CREATE ROLE "${role}" LOGIN`));

  afterAll(async () => {
    await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await query(`DROP ROLE IF EXISTS "${role}"`);
  });

  it('accepts every level that waits for the local flush', async () => {
    for (const level of ['on', 'local', 'remote_write', 'remote_apply']) {
      await commitsFor(level);
      const dataSource = await createDataSource({
        config: { url: roleUrl, schema, poolSize: 1 },
        applicationName: 'durable-commits-test',
      }).initialize();
      try {
        await expect(assertCommitsAreDurable(dataSource)).resolves.toBeUndefined();
      } finally {
        await dataSource.destroy();
      }
    }
  });

  it('does not start a service whose sessions commit without waiting for the flush, and does not retry', async () => {
    await commitsFor('off');
    const started = Date.now();
    const compiling = Test.createTestingModule({
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            config: { url: roleUrl, schema, poolSize: 1 },
            applicationName: 'durable-commits-test',
          }),
        }),
      ],
    }).compile();

    await expect(compiling).rejects.toThrow(
      "PostgreSQL runs this service's sessions with synchronous_commit = off",
    );
    // Three retries a second apart would have taken 3 s.
    expect(Date.now() - started).toBeLessThan(2_000);
    // Refused before migrating: the service's schema was never created.
    expect(await query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
  });
});
