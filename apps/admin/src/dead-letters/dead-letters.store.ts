import { Injectable } from '@nestjs/common';
import type { DeadLetterRecord } from '@tally/budget-domain';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

export interface DeadLetterRow {
  id: string;
  service: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  reason: string;
  error: string;
  key: string | null;
  key_base64: string | null;
  value: string | null;
  truncated: boolean;
  at: Date;
}

export interface DeadLetterPosition {
  readonly at: string;
  readonly id: string;
}

/** The base64 text of a value kept here: a dead letter may hold 3 MB, a list shows the start. */
const KEPT_VALUE_CHARS = 16 * 1024;

const COLUMNS = `id::text, service, source_topic, source_partition, source_offset::text, reason,
  error, key, key_base64, value, truncated, at`;

/** Dead letters of every service, from usage.dead-letter. */
@Injectable()
export class DeadLettersStore {
  async insert(manager: EntityManager, records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    const column = <T>(pick: (record: DeadLetterRecord) => T) => records.map(pick);
    await manager.query(
      `INSERT INTO dead_letters (service, source_topic, source_partition, source_offset, reason,
         error, key, key_base64, value, truncated, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[], $5::text[],
         $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        column((r) => r.service),
        column((r) => r.source_topic),
        column((r) => r.partition),
        column((r) => r.offset),
        column((r) => r.reason),
        column((r) => r.error),
        column((r) => r.key),
        column((r) => r.key_base64),
        column((r) => r.value?.slice(0, KEPT_VALUE_CHARS) ?? null),
        column((r) => r.truncated || (r.value?.length ?? 0) > KEPT_VALUE_CHARS),
        column((r) => r.at),
      ],
    );
  }

  /** Deletes up to `limit` dead letters older than `before` (by `at`); returns how many. */
  async forgetBefore(manager: EntityManager, before: Date, limit: number): Promise<number> {
    const deleted = await returningRows(
      manager,
      `DELETE FROM dead_letters WHERE id = ANY(ARRAY(
         SELECT id FROM dead_letters WHERE at < $1 ORDER BY at, id LIMIT $2))
       RETURNING 1`,
      [before, limit],
    );
    return deleted.length;
  }

  /** Newest first; one row more than `limit` says there is a next page. */
  async list(
    manager: EntityManager,
    filter: {
      service?: string | undefined;
      reason?: string | undefined;
      from?: Date | undefined;
      to?: Date | undefined;
    },
    page: { after?: DeadLetterPosition | undefined; limit: number },
  ): Promise<DeadLetterRow[]> {
    return manager.query(
      `SELECT ${COLUMNS} FROM dead_letters
       WHERE ($1::text IS NULL OR service = $1)
         AND ($2::text IS NULL OR reason = $2)
         AND ($3::timestamptz IS NULL OR at >= $3)
         AND ($4::timestamptz IS NULL OR at < $4)
         AND ($5::timestamptz IS NULL OR (at, id) < ($5::timestamptz, $6::bigint))
       ORDER BY at DESC, id DESC
       LIMIT $7`,
      [
        filter.service ?? null,
        filter.reason ?? null,
        filter.from ?? null,
        filter.to ?? null,
        page.after?.at ?? null,
        page.after?.id ?? null,
        page.limit + 1,
      ],
    );
  }
}
