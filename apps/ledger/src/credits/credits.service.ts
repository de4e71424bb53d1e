import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { InvalidAmountError, parseAmount } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { Books } from '../books/books.service';
import type { LedgerCode } from '../books/ledger-codes';
import { LedgerStore } from '../books/ledger.store';
import { Clock } from '../clock';
import { CreditsException, CreditsExceptionCode } from './credits.exception';

export type CreditKind = 'grant' | 'bonus' | 'refund';

/** More than this in one grant is a typo, not a grant. */
export const MAX_CREDIT_GRANT = new Decimal('1000000');

/**
 * Admin credit: grants and bonuses come from promotions, refunds of paid credit go back to
 * payments clearing (negative credit). Each idempotency key posts at most once.
 */
@Injectable()
export class CreditsService {
  constructor(
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly store: LedgerStore,
    private readonly clock: Clock,
  ) {}

  async grant(input: {
    accountId: string;
    amount: unknown;
    kind: CreditKind;
    reason: string;
    idempotencyKey: string;
  }): Promise<{ transaction_id: string; replayed: boolean }> {
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
        const earlier = await this.store.findTransaction(
          tx.manager,
          input.accountId,
          input.kind,
          input.idempotencyKey,
        );
        if (earlier) return { transaction_id: earlier.transaction_id, replayed: true };
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
          details: { reason: input.reason },
          postings: [
            { code: 'credit', amount: signed },
            { code: counterpart, amount: signed.negated() },
          ],
        });
        return { transaction_id: transactionId, replayed: false };
      }),
    );
  }
}

function validAmount(value: unknown): Decimal {
  let amount: Decimal;
  try {
    amount = parseAmount(value);
  } catch (error) {
    throw new CreditsException(
      CreditsExceptionCode.INVALID_AMOUNT,
      error instanceof InvalidAmountError ? error.message : 'amount is not a decimal string',
    );
  }
  if (!amount.greaterThan(0)) {
    throw new CreditsException(
      CreditsExceptionCode.INVALID_AMOUNT,
      'amount must be greater than zero',
    );
  }
  if (amount.greaterThan(MAX_CREDIT_GRANT)) {
    throw new CreditsException(
      CreditsExceptionCode.INVALID_AMOUNT,
      `amount must not exceed ${MAX_CREDIT_GRANT.toFixed()}`,
    );
  }
  if (amount.decimalPlaces() > 12) {
    throw new CreditsException(
      CreditsExceptionCode.INVALID_AMOUNT,
      'amount has more than 12 decimals',
    );
  }
  return amount;
}
