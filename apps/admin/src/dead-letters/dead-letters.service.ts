import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { DeadLetterReason } from '@tally/budget-domain';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentInstant } from '../http/present';
import { DeadLettersStore } from './dead-letters.store';
import type { DeadLetterPosition, DeadLetterRow } from './dead-letters.store';
import type { DeadLetterView, ListDeadLettersQuery } from './dtos/dead-letter.dto';

const position = z.object({ at: z.iso.datetime(), id: z.string().regex(/^\d{1,19}$/) });

/** Dead letters of every service, newest first, from admin's projection of usage.dead-letter. */
@Injectable()
export class DeadLettersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: DeadLettersStore,
  ) {}

  async list(query: ListDeadLettersQuery): Promise<Page<DeadLetterView>> {
    const after = positionAfter(query.cursor, position);
    const rows = await this.store.list(this.dataSource.manager, query, {
      after,
      limit: query.limit,
    });
    return pageOf(rows, query.limit, present, (row): DeadLetterPosition => ({
      at: presentInstant(row.at),
      id: row.id,
    }));
  }
}

function present(row: DeadLetterRow): DeadLetterView {
  return {
    service: row.service,
    source_topic: row.source_topic,
    partition: row.source_partition,
    offset: row.source_offset,
    reason: row.reason as DeadLetterReason,
    error: row.error,
    key: row.key,
    key_base64: row.key_base64,
    value: row.value,
    truncated: row.truncated,
    at: presentInstant(row.at),
  };
}
