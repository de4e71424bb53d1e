import type { DataSource } from 'typeorm';

export interface OutboxPartitionsOptions {
  /** Days a partition is kept after its day (metering: its maximum event age, plus a margin). */
  readonly retentionDays: number;
  /** Days ahead of today that have a partition, so a writer never finds its day missing. */
  readonly aheadDays: number;
  /** Serialises the instances of one service that create partitions at once. */
  readonly lockName: string;
  /** How long a partition change may wait for the outbox's lock before it is tried again later. */
  readonly lockTimeoutMs: number;
}

const PARTITION_NAME = /^outbox_p(\d{4})(\d{2})(\d{2})$/;

/**
 * The outbox's day partitions (ADR 0040): one per day from `retentionDays` ago to `aheadDays`
 * ahead, by the database's clock (UTC). Old days go as whole partitions, and only once every
 * row in them is published: no row is ever deleted one by one.
 */
export class OutboxPartitions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: OutboxPartitionsOptions,
  ) {}

  /** Creates the missing partitions of the kept window; returns the days created. */
  async ensure(): Promise<string[]> {
    const missing: Array<{ day: string }> = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day
       FROM generate_series(current_date - $1::int, current_date + $2::int, interval '1 day') AS day
       WHERE to_regclass('outbox_p' || to_char(day, 'YYYYMMDD')) IS NULL
       ORDER BY day`,
      [this.options.retentionDays, this.options.aheadDays],
    );
    for (const { day } of missing) {
      await this.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL lock_timeout = ${Math.round(this.options.lockTimeoutMs)}`);
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.options.lockName]);
        await manager.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF outbox
           FOR VALUES FROM ('${day}') TO ('${nextDay(day)}')`,
        );
      });
    }
    return missing.map((row) => row.day);
  }

  /**
   * Drops the partitions older than the retention whose rows are all published (xid at or
   * below `position`); returns the days dropped. The outbox's lock is taken first, so a writer
   * still inside such a partition has committed (and its row is seen) before the check.
   */
  async dropPublished(position: string): Promise<string[]> {
    const expired: Array<{ name: string }> = await this.dataSource.query(
      `SELECT child.relname AS name
       FROM pg_inherits
       JOIN pg_class child ON child.oid = pg_inherits.inhrelid
       JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
       WHERE parent.oid = to_regclass('outbox') AND child.relname ~ '^outbox_p[0-9]{8}$'
         AND to_date(substr(child.relname, 9), 'YYYYMMDD') < current_date - $1::int
       ORDER BY child.relname`,
      [this.options.retentionDays],
    );
    const dropped: string[] = [];
    for (const { name } of expired) {
      const day = dayOf(name);
      const done = await this.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL lock_timeout = ${Math.round(this.options.lockTimeoutMs)}`);
        await manager.query('LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE');
        const [{ unpublished }]: Array<{ unpublished: boolean }> = await manager.query(
          `SELECT EXISTS (SELECT 1 FROM ${partitionName(day)} WHERE xid > $1::xid8) AS unpublished`,
          [position],
        );
        if (unpublished) return false;
        await manager.query(`DROP TABLE ${partitionName(day)}`);
        return true;
      });
      if (done) dropped.push(day);
    }
    return dropped;
  }
}

/** The partition of a day (YYYY-MM-DD), as an identifier safe to put in SQL. */
export function partitionName(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `outbox_p${day.replace(/-/g, '')}`;
}

function dayOf(name: string): string {
  const match = PARTITION_NAME.exec(name);
  if (!match) throw new Error(`not an outbox partition: ${name}`);
  return `${match[1]}-${match[2]}-${match[3]}`;
}

function nextDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}
