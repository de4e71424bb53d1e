import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { createDataSource, runMigrations } from '../src';
import { databaseUrl, query } from './test-database';

/**
 * A rolling deploy starts several instances of several services at once, each running its
 * pending migrations at start: every migration runs once in its service's schema, whichever
 * instance runs it, including one every service lists (the messaging tables), and whatever
 * the instance's pool size.
 */
describe('instances starting together', () => {
  const suffix = randomBytes(4).toString('hex');
  const schemas = [`svc_a_${suffix}`, `svc_b_${suffix}`];
  const sources: DataSource[] = [];
  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    for (const schema of schemas) await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  /** A migration that fails if it runs twice (CREATE TABLE), and slowly, so instances overlap. */
  const migration = (name: string, table: string) =>
    class implements MigrationInterface {
      name = name;
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
        await queryRunner.query('SELECT pg_sleep(0.2)');
        await queryRunner.query(`INSERT INTO ${table} VALUES (1)`);
      }
      async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE ${table}`);
      }
    };
  const shared = migration('Shared1700000000000', 'shared');
  const ofA = [shared, migration('A1700000000001', 'a_one'), migration('A1700000000002', 'a_two')];
  const ofB = [shared, migration('B1700000000001', 'b_one')];

  const instance = async (
    schema: string,
    migrations: Array<new () => MigrationInterface>,
    poolSize: number,
  ) => {
    const dataSource = createDataSource({
      config: { url: databaseUrl, schema, poolSize },
      applicationName: 'migrate-together-test',
      migrations,
    });
    sources.push(dataSource);
    await dataSource.initialize();
    return dataSource;
  };

  it('four instances of one service and three of another: each migration once per schema', async () => {
    const [a, b] = schemas as [string, string];
    const started = await Promise.all([
      instance(a, ofA, 10),
      instance(a, ofA, 2),
      instance(a, ofA, 10),
      instance(a, ofA, 2),
      instance(b, ofB, 10),
      instance(b, ofB, 2),
      instance(b, ofB, 10),
    ]);
    const applied = await Promise.all(started.map((source) => runMigrations(source)));
    expect(applied.slice(0, 4).flat().sort()).toEqual(ofA.map((m) => new m().name).sort());
    expect(applied.slice(4).flat().sort()).toEqual(ofB.map((m) => new m().name).sort());
    for (const [schema, names] of [
      [a, ['Shared1700000000000', 'A1700000000001', 'A1700000000002']],
      [b, ['Shared1700000000000', 'B1700000000001']],
    ] as const) {
      const rows = (await started[0]?.query(
        `SELECT name FROM "${schema}".migrations ORDER BY id`,
      )) as Array<{ name: string }>;
      expect(rows.map((row) => row.name)).toEqual(names);
    }
    // Started again (a restart, the init container then the service): nothing is pending.
    expect(await runMigrations(started[1] as DataSource)).toEqual([]);
  });

  it('an instance with a pool of one connection (DB_POOL_SIZE=1) migrates', async () => {
    const schema = schemas[0] as string;
    const next = [...ofA, migration('A1700000000003', 'a_three')];
    const single = await instance(schema, next, 1);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      runMigrations(single),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve('still waiting after 10 s'), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect(outcome).toEqual(['A1700000000003']);
  });
});
