import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { InvalidAmountError, creditGrantAmount } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { Books } from '../books/books.service';
import type { LedgerCode } from '../books/ledger-codes';
import { Clock } from '../clock';
import { CreditsException, CreditsExceptionCode } from './credits.exception';
import { CreditsStore } from './credits.store';
import type { PostedCredit } from './credits.store';

export type CreditKind = 'grant' | 'bonus' | 'refund';

/** A credit command's answer: the posted transaction, the first time or on a repeat. */
export interface CreditReply {
  readonly transaction_id: string;
  readonly account_id: string;
  readonly kind: string;
  readonly amount: string;
  readonly reason: string;
  readonly posted_at: string;
  readonly replayed: boolean;
}

/**
 * Admin credit: grants and bonuses come from promotions, refunds of paid credit go back to
 * payments clearing (negative credit). Each idempotency key of an account posts once: the same
 * request again answers the transaction it posted, another request under it is refused.
 */
@Injectable()
export class CreditsService {
  constructor(
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly store: CreditsStore,
    private readonly clock: Clock,
  ) {}

  async grant(input: {
    accountId: string;
    amount: unknown;
    kind: CreditKind;
    reason: string;
    idempotencyKey: string;
  }): Promise<CreditReply> {
    const amount = validAmount(input.amount);
    if (!['grant', 'bonus', 'refund'].includes(input.kind)) {
      throw new CreditsException(
        CreditsExceptionCode.VALIDATION_FAILED,
        'kind must be grant, bonus or refund',
      );
    }
    if (!input.idempotencyKey) {
      throw new CreditsException(
        CreditsExceptionCode.VALIDATION_FAILED,
        'idempotency_key is required',
      );
    }
    const now = this.clock.now();
    return this.messaging.transaction((tx) =>
      this.books.transact(tx, { accountIds: [input.accountId], now }, async (books) => {
        const earlier = await this.store.findByIdempotencyKey(
          tx.manager,
          input.accountId,
          input.idempotencyKey,
        );
        if (earlier) return replay(earlier, input, amount);
        const counterpart: LedgerCode =
          input.kind === 'refund' ? 'payments_clearing' : 'promotions';
        const signed = input.kind === 'refund' ? amount.negated() : amount;
        const transactionId = randomUUID();
        books.record({
          accountId: input.accountId,
          transactionId,
          kind: input.kind,
          sourceId: input.idempotencyKey,
          occurredAt: now.toISOString(),
          details: { reason: input.reason, amount: String(input.amount) },
          postings: [
            { code: 'credit', amount: signed },
            { code: counterpart, amount: signed.negated() },
          ],
        });
        return {
          transaction_id: transactionId,
          account_id: input.accountId,
          kind: input.kind,
          amount: String(input.amount),
          reason: input.reason,
          posted_at: now.toISOString(),
          replayed: false,
        };
      }),
    );
  }
}

/** The answer to a repeated idempotency key: the first transaction, if this is the same request. */
function replay(
  earlier: PostedCredit,
  input: { accountId: string; kind: CreditKind; reason: string },
  amount: Decimal,
): CreditReply {
  if (
    earlier.kind !== input.kind ||
    earlier.reason !== input.reason ||
    !amount.equals(earlier.amount)
  ) {
    throw new CreditsException(
      CreditsExceptionCode.IDEMPOTENCY_KEY_REUSED,
      `idempotency_key already posted ${earlier.kind} ${earlier.amount} (${earlier.reason}) as ${earlier.transaction_id}`,
    );
  }
  return {
    transaction_id: earlier.transaction_id,
    account_id: input.accountId,
    kind: earlier.kind,
    amount: earlier.amount,
    reason: earlier.reason,
    posted_at: earlier.posted_at.toISOString(),
    replayed: true,
  };
}

function validAmount(value: unknown): Decimal {
  try {
    return creditGrantAmount(value);
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    throw new CreditsException(CreditsExceptionCode.INVALID_AMOUNT, error.message);
  }
}
