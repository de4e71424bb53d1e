import { Client } from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { createDataSource, runMigrations } from '../src';
import { databaseUrl, query } from './test-database';

/**
 * An ALTER TABLE waits for every transaction reading its table, and every query of the table
 * that comes after it waits behind it: a migration stuck behind a long report or a forgotten
 * session stalls the service's reads and writes of that table as long as it waits. The
 * migration gives up its place after a short lock timeout and tries again (ADR 0176).
 */
describe('a migration behind a long transaction', () => {
  const schema = `svc_locks_${randomBytes(4).toString('hex')}`;
  const sources: DataSource[] = [];
  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  class CreateBusy1700000000000 implements MigrationInterface {
    name = 'CreateBusy1700000000000';
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query('CREATE TABLE busy (id int PRIMARY KEY)');
      await queryRunner.query('INSERT INTO busy SELECT generate_series(1, 100)');
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query('DROP TABLE busy');
    }
  }
  class BusyGetsANote1700000000001 implements MigrationInterface {
    name = 'BusyGetsANote1700000000001';
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query('ALTER TABLE busy ADD COLUMN note text');
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query('ALTER TABLE busy DROP COLUMN note');
    }
  }

  const instance = async (migrations: Array<new () => MigrationInterface>) => {
    const dataSource = createDataSource({
      config: { url: databaseUrl, schema, poolSize: 1 },
      applicationName: 'migration-lock-test',
      migrations,
    });
    sources.push(dataSource);
    await dataSource.initialize();
    return dataSource;
  };
  const client = async () => {
    const connected = new Client({ connectionString: databaseUrl });
    await connected.connect();
    return connected;
  };
  /** How long `work` took, or 'still waiting' past `ms`. */
  const timed = async (work: Promise<unknown>, ms: number) => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      work.then(() => Date.now() - started),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`still waiting after ${ms} ms`), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  };

  it('lets the queries queued behind it run while it waits, and applies it once the long transaction ends', async () => {
    expect(await runMigrations(await instance([CreateBusy1700000000000]))).toEqual([
      'CreateBusy1700000000000',
    ]);
    const long = await client();
    const reader = await client();
    try {
      await long.query('BEGIN');
      await long.query(`SELECT count(*) FROM "${schema}".busy`);
      const upgraded = await instance([CreateBusy1700000000000, BusyGetsANote1700000000001]);
      const migrating = runMigrations(upgraded, { lockTimeoutMs: 300, retryDelayMs: 100 });
      const outcome = migrating.then(
        (applied) => applied,
        (error: unknown) => String(error),
      );
      // The ALTER is queued for the table's lock.
      await new Promise((resolve) => setTimeout(resolve, 150));

      // Answered within a lock timeout, the long transaction still open (it waited for it).
      const read = await timed(reader.query(`SELECT count(*) FROM "${schema}".busy`), 3000);
      expect(typeof read === 'number' && read < 1500 ? 'answered' : read).toBe('answered');

      await long.query('COMMIT');
      expect(await outcome).toEqual(['BusyGetsANote1700000000001']);
      const [column] = await query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'busy' AND column_name = 'note'`,
        [schema],
      );
      expect(column).toEqual({ column_name: 'note' });
      // The pool's one connection, back to the service: its queries wait for locks as before.
      expect(await upgraded.query('SHOW lock_timeout')).toEqual([{ lock_timeout: '0' }]);
    } finally {
      await long.query('ROLLBACK').catch(() => undefined);
      await Promise.all([long.end(), reader.end()]);
    }
  }, 20_000);
});
