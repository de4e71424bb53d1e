import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { InvalidAmountError, parseAmount } from '@tally/budget-domain';
import { MessagingService, enqueueOutbox } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import { LedgerException, LedgerExceptionCode } from '../ledger.exception';
import type { LedgerCode } from '../postings/ledger-codes';
import { LedgerStore } from '../postings/ledger.store';
import type { NewTransaction } from '../postings/ledger.store';
import { PostingService, applyPostings } from '../postings/posting.service';

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly postings: PostingService,
    private readonly messaging: MessagingService,
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
      throw new LedgerException(
        LedgerExceptionCode.VALIDATION_FAILED,
        'kind must be grant, bonus or refund',
      );
    }
    if (!input.idempotencyKey)
      throw new LedgerException(
        LedgerExceptionCode.VALIDATION_FAILED,
        'idempotency_key is required',
      );
    const now = this.clock.now();
    const result = await this.dataSource.transaction(async (manager) => {
      const locked = await this.postings.lock(manager, [input.accountId], now);
      const account = locked.balances.get(input.accountId);
      if (!account)
        throw new LedgerException(
          LedgerExceptionCode.ACCOUNT_NOT_FOUND,
          `no account ${input.accountId}`,
        );
      const earlier = await this.store.findTransaction(
        manager,
        input.accountId,
        input.kind,
        input.idempotencyKey,
      );
      if (earlier) return { transaction_id: earlier.transaction_id, replayed: true };
      const counterpart: LedgerCode = input.kind === 'refund' ? 'payments_clearing' : 'promotions';
      const signed = input.kind === 'refund' ? amount.negated() : amount;
      const transaction: NewTransaction = {
        accountId: input.accountId,
        transactionId: randomUUID(),
        kind: input.kind,
        sourceId: input.idempotencyKey,
        occurredAt: now.toISOString(),
        details: { reason: input.reason },
        postings: [
          { code: 'credit', amount: signed },
          { code: counterpart, amount: signed.negated() },
        ],
      };
      applyPostings(account, transaction);
      await enqueueOutbox(
        manager,
        await this.postings.postLocked(manager, locked, [transaction], now),
      );
      return { transaction_id: transaction.transactionId, replayed: false };
    });
    this.messaging.outboxCommitted();
    return result;
  }
}

function validAmount(value: unknown): Decimal {
  let amount: Decimal;
  try {
    amount = parseAmount(value);
  } catch (error) {
    throw new LedgerException(
      LedgerExceptionCode.INVALID_AMOUNT,
      error instanceof InvalidAmountError ? error.message : 'amount is not a decimal string',
    );
  }
  if (!amount.greaterThan(0))
    throw new LedgerException(
      LedgerExceptionCode.INVALID_AMOUNT,
      'amount must be greater than zero',
    );
  if (amount.greaterThan(MAX_CREDIT_GRANT))
    throw new LedgerException(
      LedgerExceptionCode.INVALID_AMOUNT,
      `amount must not exceed ${MAX_CREDIT_GRANT.toFixed()}`,
    );
  if (amount.decimalPlaces() > 12)
    throw new LedgerException(
      LedgerExceptionCode.INVALID_AMOUNT,
      'amount has more than 12 decimals',
    );
  return amount;
}
