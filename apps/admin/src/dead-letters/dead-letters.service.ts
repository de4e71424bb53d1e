import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RepeatingRound } from '@tally/platform';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { DeadLetterReason } from '@tally/budget-domain';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentInstant } from '../http/present';
import type { AdminConfig } from '../config/admin.config';
import { ADMIN_CONFIG } from '../config/admin.tokens';
import { DeadLettersStore } from './dead-letters.store';
import type { DeadLetterPosition, DeadLetterRow } from './dead-letters.store';
import type { DeadLetterView, ListDeadLettersQuery } from './dtos/dead-letter.dto';

const position = z.object({ at: z.iso.datetime(), id: z.string().regex(/^\d{1,19}$/) });
/** Dead letters deleted per transaction. */
const FORGET_BATCH = 5_000;
const FORGET_EVERY_MS = 3600_000;
const DAY_MS = 86_400_000;

/** Dead letters of every service, newest first, from admin's projection of usage.dead-letter. */
@Injectable()
export class DeadLettersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly retention = new RepeatingRound(
    'dead-letter retention',
    () => this.forgetAllOld(),
    new Logger(DeadLettersService.name),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: DeadLettersStore,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.retention.start(FORGET_EVERY_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.retention.stop();
  }

  /**
   * Deletes the dead letters older than ADMIN_DEAD_LETTER_RETENTION_DAYS, batch by batch;
   * returns how many (ADR 0137). Runs every hour; the topic keeps the records for its own
   * retention, this only bounds admin's copies.
   */
  forgetOld(): Promise<number> {
    return this.retention.run();
  }

  private async forgetAllOld(): Promise<number> {
    const before = new Date(Date.now() - this.config.deadLetterRetentionDays * DAY_MS);
    let total = 0;
    for (;;) {
      const deleted = await this.dataSource.transaction((manager) =>
        this.store.forgetBefore(manager, before, FORGET_BATCH),
      );
      total += deleted;
      if (deleted < FORGET_BATCH) return total;
    }
  }

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
