import { Client } from 'pg';

/** A row lock a test holds to force an interleaving: what queues behind it waits for `letGo`. */
export interface HeldRowLock {
  /** Waits until `count` other sessions wait behind the lock (directly or behind one another). */
  waitForQueue(count: number, timeoutMs?: number): Promise<void>;
  /** Commits the lock's transaction: the queued sessions go, first queued first. */
  letGo(): Promise<void>;
}

/**
 * Takes a row lock (`lockSql`, e.g. `SELECT 1 FROM t WHERE … FOR UPDATE`) in a transaction of
 * its own on `schema`, so that two writes of a service can be queued behind it in a known order
 * and let go at once: a race forced, not hoped for.
 */
export async function holdRowLock(
  databaseUrl: string,
  schema: string,
  lockSql: string,
  params: unknown[] = [],
): Promise<HeldRowLock> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SET LOCAL search_path TO "${schema}"`);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0]?.pid;
  const locked = await client.query(lockSql, params);
  if (locked.rowCount === 0) throw new Error(`no row locked by ${lockSql}`);
  let released = false;
  const queued = async () => {
    // Activity views keep one snapshot per transaction: this one stays open, so it is cleared.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const waiting = await client.query<{ pid: number; blockers: number[] }>(
      "SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
    );
    const behind = new Set([pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const session of waiting.rows) {
        if (!behind.has(session.pid) && session.blockers.some((b) => behind.has(b))) {
          behind.add(session.pid);
          grew = true;
        }
      }
    }
    return behind.size - 1;
  };
  const letGo = async () => {
    if (released) return;
    released = true;
    try {
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  };
  return {
    letGo,
    async waitForQueue(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while ((await queued()) < count) {
        if (Date.now() > deadline) {
          // Let the queued sessions go, so that a failed test leaves no service waiting.
          const seen = await queued();
          await letGo();
          throw new Error(`${seen} sessions queued behind the lock, not ${count}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
