import { Injectable } from '@nestjs/common';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

export interface CreditRequestRow {
  kind: string;
  amount: string;
  reason: string;
  transaction_id: string | null;
  posted_at: Date | null;
}

/** The request each idempotency key of an account was first used for, and what it posted. */
@Injectable()
export class CreditsStore {
  /** Claims the key for this request; undefined when it was claimed before (see `find`). */
  async claim(
    manager: EntityManager,
    accountId: string,
    idempotencyKey: string,
    request: { kind: string; amount: string; reason: string },
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO credit_requests (account_id, idempotency_key, kind, amount, reason)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING
       RETURNING 1`,
      [accountId, idempotencyKey, request.kind, request.amount, request.reason],
    );
    return rows.length > 0;
  }

  async find(
    manager: EntityManager,
    accountId: string,
    idempotencyKey: string,
  ): Promise<CreditRequestRow | undefined> {
    const [row]: CreditRequestRow[] = await manager.query(
      `SELECT kind, amount, reason, transaction_id, posted_at FROM credit_requests
       WHERE account_id = $1 AND idempotency_key = $2`,
      [accountId, idempotencyKey],
    );
    return row;
  }

  async complete(
    manager: EntityManager,
    accountId: string,
    idempotencyKey: string,
    posted: { transactionId: string; postedAt: string },
  ): Promise<void> {
    await returningRows(
      manager,
      `UPDATE credit_requests SET transaction_id = $3, posted_at = $4
       WHERE account_id = $1 AND idempotency_key = $2
       RETURNING 1`,
      [accountId, idempotencyKey, posted.transactionId, posted.postedAt],
    );
  }

  /** Frees a key whose command the ledger refused: nothing was posted under it. */
  async release(manager: EntityManager, accountId: string, idempotencyKey: string): Promise<void> {
    await returningRows(
      manager,
      `DELETE FROM credit_requests
       WHERE account_id = $1 AND idempotency_key = $2 AND transaction_id IS NULL
       RETURNING 1`,
      [accountId, idempotencyKey],
    );
  }
}
