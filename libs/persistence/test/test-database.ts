import { Client } from 'pg';
import { DEFAULT_DATABASE_URL } from '../src/database.config';

// @tally/testing builds on this library, so its tests talk to PostgreSQL by themselves.
export const databaseUrl = process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL;

/** Runs one statement on its own connection. */
export async function query(sql: string, params: unknown[] = []): Promise<unknown[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
