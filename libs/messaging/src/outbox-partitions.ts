import type { DataSource, EntityManager } from 'typeorm';

export interface OutboxPartitionsOptions {
  /** Days a day's rows are kept at least (metering: its maximum event age, plus a margin). */
  readonly retentionDays: number;
  /** Days ahead of today that have a partition, so a writer never finds its day missing. */
  readonly aheadDays: number;
  /**
   * Days per partition. Every statement on the outbox locks each partition, so a service that
   * keeps many days (metering) takes them a week at a time; the others a day at a time.
   */
  readonly partitionDays: number;
  /** Serialises the instances of one service that create partitions at once. */
  readonly lockName: string;
  /** How long a partition change may wait for the outbox's lock before it is tried again later. */
  readonly lockTimeoutMs: number;
}

/** A partition and its days, from (inclusive) to (exclusive), as YYYY-MM-DD. */
interface PartitionRange {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

const DAY_MS = 24 * 3600 * 1000;
/** Partitions of several days start on a Monday (1970-01-05 was one). */
const FIRST_MONDAY_MS = Date.UTC(1970, 0, 5);

/**
 * The outbox's partitions by day (ADR 0040): from `retentionDays` ago to `aheadDays` ahead, by
 * the database's clock (UTC), `partitionDays` each. Old ones go whole, and only once every row
 * in them is published: no row is ever deleted one by one.
 */
export class OutboxPartitions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: OutboxPartitionsOptions,
  ) {}

  /**
   * Creates partitions for the days of the kept window that have none; returns their first
   * days. Days already covered (by partitions of another width, say) are left as they are.
   */
  async ensure(): Promise<string[]> {
    const today = await this.today();
    const width = this.options.partitionDays;
    const first = chunkStart(addDays(today, -this.options.retentionDays), width);
    const end = addDays(chunkStart(addDays(today, this.options.aheadDays), width), width);
    const existing = await partitionsOf(this.dataSource.manager);
    const missing: Array<{ from: string; to: string }> = [];
    for (let day = first; day < end; day = addDays(day, 1)) {
      if (existing.some((partition) => partition.from <= day && day < partition.to)) continue;
      const run = missing[missing.length - 1];
      if (run && run.to === day && chunkStart(run.from, width) === chunkStart(day, width))
        run.to = addDays(day, 1);
      else missing.push({ from: day, to: addDays(day, 1) });
    }
    const created: string[] = [];
    for (const { from, to } of missing) {
      const done = await this.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL lock_timeout = ${Math.round(this.options.lockTimeoutMs)}`);
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.options.lockName]);
        // Another instance may have made some of these days meanwhile.
        const now = await partitionsOf(manager);
        if (now.some((partition) => partition.from < to && from < partition.to)) return false;
        await manager.query(
          `CREATE TABLE ${partitionName(from)} PARTITION OF outbox
           FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
        return true;
      });
      if (done) created.push(from);
    }
    return created;
  }

  /**
   * Drops the partitions whose days are all older than the retention and whose rows are all
   * published (xid at or below `position`); returns their first days. The outbox's lock is
   * taken first, so a writer still inside such a partition has committed (and its row is
   * seen) before the check.
   */
  async dropPublished(position: string): Promise<string[]> {
    const oldestKept = addDays(await this.today(), -this.options.retentionDays);
    const expired = (await partitionsOf(this.dataSource.manager)).filter(
      (partition) => partition.to <= oldestKept,
    );
    const dropped: string[] = [];
    for (const { name, from } of expired) {
      const done = await this.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL lock_timeout = ${Math.round(this.options.lockTimeoutMs)}`);
        await manager.query('LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE');
        const [{ unpublished }]: Array<{ unpublished: boolean }> = await manager.query(
          `SELECT EXISTS (SELECT 1 FROM ${quoted(name)} WHERE xid > $1::xid8) AS unpublished`,
          [position],
        );
        if (unpublished) return false;
        await manager.query(`DROP TABLE ${quoted(name)}`);
        return true;
      });
      if (done) dropped.push(from);
    }
    return dropped;
  }

  private async today(): Promise<string> {
    const [{ today }]: Array<{ today: string }> = await this.dataSource.query(
      `SELECT to_char(current_date, 'YYYY-MM-DD') AS today`,
    );
    return today;
  }
}

/** The partition whose days start at `day` (YYYY-MM-DD), as an identifier safe to put in SQL. */
export function partitionName(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `outbox_p${day.replace(/-/g, '')}`;
}

/** The first day of the `width`-day partition holding `day`: partitions of a week start on Mondays. */
export function chunkStart(day: string, width: number): string {
  const daysSinceMonday = Math.round((Date.parse(`${day}T00:00:00Z`) - FIRST_MONDAY_MS) / DAY_MS);
  return addDays(day, -(((daysSinceMonday % width) + width) % width));
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function quoted(name: string): string {
  if (!/^outbox_p\d{8}$/.test(name)) throw new Error(`not an outbox partition: ${name}`);
  return name;
}

/** The outbox's partitions with their days, read from the catalog. */
async function partitionsOf(manager: EntityManager): Promise<PartitionRange[]> {
  return manager.query(
    `SELECT child.relname AS name, bounds[1] AS "from", bounds[2] AS "to"
     FROM pg_inherits
     JOIN pg_class child ON child.oid = pg_inherits.inhrelid,
     LATERAL regexp_match(pg_get_expr(child.relpartbound, child.oid),
                          'FROM \\(''([0-9-]+)''\\) TO \\(''([0-9-]+)''\\)') AS bounds
     WHERE pg_inherits.inhparent = to_regclass('outbox')
     ORDER BY bounds[1]`,
  );
}
