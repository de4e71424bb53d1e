import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DEFAULT_DATABASE_URL } from '@tally/persistence';

/** A unique suffix per test file: its own topics ("usage.events.<suffix>") and schemas. */
export interface Isolation {
  readonly suffix: string;
  readonly kafkaBrokers: string[];
  readonly databaseUrl: string;
  schema(service: string): string;
}

export function isolate(): Isolation {
  const suffix = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return {
    suffix,
    kafkaBrokers: (process.env['KAFKA_BROKERS'] || '127.0.0.1:9092').split(','),
    databaseUrl: process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL,
    schema: (service) => `${service}_${suffix}`,
  };
}

/** Removes the schemas a test file created. */
export async function dropSchemas(databaseUrl: string, schemas: string[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs a query against the test database (assertions on what a service stored). */
export async function queryDatabase<T>(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
