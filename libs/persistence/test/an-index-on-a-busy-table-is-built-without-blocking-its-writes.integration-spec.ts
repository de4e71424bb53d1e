import { Client } from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { createDataSource, createIndexConcurrently, runMigrations } from '../src';
import { databaseUrl, query } from './test-database';

/**
 * An index a migration adds to a table in use is built concurrently (ADR 0176): writes go on
 * while it waits for the transactions already writing, and a build that failed half-way is made
 * again rather than kept invalid.
 */
describe('an index on a busy table', () => {
  const schema = `svc_index_${randomBytes(4).toString('hex')}`;
  const sources: DataSource[] = [];
  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  const migration = (name: string, up: (runner: QueryRunner) => Promise<void>) =>
    class implements MigrationInterface {
      name = name;
      transaction = false;
      up = up;
      async down(runner: QueryRunner): Promise<void> {
        await runner.query('DROP INDEX IF EXISTS busy_by_v');
      }
    };
  const Busy = migration('Busy1700000000000', async (runner) => {
    await runner.query('CREATE TABLE busy (id int PRIMARY KEY, v int NOT NULL)');
    await runner.query('INSERT INTO busy SELECT g, g % 10 FROM generate_series(1, 1000) AS g');
  });
  const ByV = migration('BusyByV1700000000001', (runner) =>
    createIndexConcurrently(runner, 'busy_by_v', 'busy', '(v)'),
  );
  const index = async () =>
    (await query(
      `SELECT i.indisvalid AS valid, i.indisunique AS "unique" FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = 'busy_by_v'`,
      [schema],
    )) as Array<{ valid: boolean; unique: boolean }>;
  const instance = async (migrations: Array<new () => MigrationInterface>) => {
    const dataSource = createDataSource({
      config: { url: databaseUrl, schema, poolSize: 1 },
      applicationName: 'concurrent-index-test',
      migrations,
    });
    sources.push(dataSource);
    await dataSource.initialize();
    return dataSource;
  };

  it('takes writes while it waits for a transaction writing to the table, then is valid', async () => {
    await runMigrations(await instance([Busy]));
    const writing = new Client({ connectionString: databaseUrl });
    const writer = new Client({ connectionString: databaseUrl });
    await Promise.all([writing.connect(), writer.connect()]);
    try {
      await writing.query('BEGIN');
      await writing.query(`INSERT INTO "${schema}".busy VALUES (1001, 1)`);
      const migrating = runMigrations(await instance([Busy, ByV]), { lockTimeoutMs: 10_000 });
      // The build waits for the transaction writing.
      let waiting: unknown;
      for (let waited = 0; !waiting && waited < 5000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        [waiting] = await query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'concurrent-index-test'
             AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX%'`,
        );
      }
      expect(waiting).toEqual({ '?column?': 1 });

      const inserted = writer.query(`INSERT INTO "${schema}".busy VALUES (1002, 2)`);
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([
        inserted.then(() => 'inserted'),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve('still waiting after 2 s'), 2000);
        }),
      ]).finally(() => clearTimeout(timer));
      await writing.query('COMMIT');
      expect(answered).toBe('inserted');
      expect(await migrating).toEqual(['BusyByV1700000000001']);
      expect(await index()).toEqual([{ valid: true, unique: false }]);
    } finally {
      await writing.query('ROLLBACK').catch(() => undefined);
      await Promise.all([writing.end(), writer.end()]);
    }
  }, 20_000);

  it('drops a build that failed half-way and makes it again', async () => {
    await query(`DROP INDEX "${schema}".busy_by_v`);
    await query(`DELETE FROM "${schema}".migrations WHERE name = 'BusyByV1700000000001'`);
    // A unique index on duplicates fails and is left invalid.
    await query(`CREATE UNIQUE INDEX CONCURRENTLY busy_by_v ON "${schema}".busy (v)`).catch(
      () => undefined,
    );
    expect(await index()).toEqual([{ valid: false, unique: true }]);

    expect(await runMigrations(await instance([Busy, ByV]))).toEqual(['BusyByV1700000000001']);
    expect(await index()).toEqual([{ valid: true, unique: false }]);
  }, 20_000);
});
