import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Every SQL statement on stripe_events. */
@Injectable()
export class StripeEventsStore {
  /** Records a verified event; false when it was recorded before (a redelivery). */
  async claim(manager: EntityManager, eventId: string, type: string): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO stripe_events (event_id, type, outcome) VALUES ($1, $2, 'handled')
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [eventId, type],
    )) as unknown[];
    return rows.length > 0;
  }

  async recordOutcome(
    manager: EntityManager,
    eventId: string,
    accountId: string | null,
    outcome: 'handled' | 'ignored',
  ): Promise<void> {
    await manager.query(
      'UPDATE stripe_events SET account_id = $2, outcome = $3 WHERE event_id = $1',
      [eventId, accountId, outcome],
    );
  }
}
