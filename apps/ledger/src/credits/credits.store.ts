import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A credit grant as posted: what its idempotency key answers on a repeat. */
export interface PostedCredit {
  readonly transaction_id: string;
  readonly kind: string;
  /** The amount as the request gave it. */
  readonly amount: string;
  readonly reason: string;
  readonly posted_at: Date;
}

@Injectable()
export class CreditsStore {
  /** The grant, bonus or refund an idempotency key of the account posted, if any. */
  async findByIdempotencyKey(
    manager: EntityManager,
    accountId: string,
    idempotencyKey: string,
  ): Promise<PostedCredit | undefined> {
    const [credit]: PostedCredit[] = await manager.query(
      `SELECT t.transaction_id, t.kind, t.posted_at, t.details->>'reason' AS reason,
         coalesce(t.details->>'amount', (SELECT abs(p.amount)::text FROM postings p
           WHERE p.account_id = t.account_id AND p.transaction_id = t.transaction_id AND p.ledger_code = 'credit')) AS amount
       FROM transactions t
       WHERE t.account_id = $1 AND t.source_id = $2 AND t.kind IN ('grant', 'bonus', 'refund')`,
      [accountId, idempotencyKey],
    );
    return credit;
  }
}
