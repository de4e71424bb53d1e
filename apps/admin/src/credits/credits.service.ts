import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource } from 'typeorm';
import { InvalidAmountError, creditGrantAmount } from '@tally/budget-domain';
import { AccountsService } from '../accounts/accounts.service';
import { CommandRefusal } from '../commands/commands.exception';
import { Commands } from '../commands/commands.service';
import { presentAmount, presentInstant } from '../http/present';
import { TransactionsService } from '../transactions/transactions.service';
import { CreditsException, CreditsExceptionCode } from './credits.exception';
import { CreditsStore } from './credits.store';
import type { CreditRequestRow } from './credits.store';
import type { GrantCreditRequest } from './dtos/credit.dto';

/** More than this in one grant is a typo, not a grant (as the ledger refuses it). */
/** How long a credit answer waits for its transaction's posting time to be projected. */
const POSTED_AT_WAIT_MS = 5_000;

export interface CreditTransaction {
  transaction_id: string;
  kind: string;
  amount: string;
  posted_at: string;
}

interface GrantReply {
  transaction_id: string;
  replayed?: boolean;
  posted_at?: string;
}

/**
 * Admin credit (grant, bonus, refund) through `ledger.grant-credit`. An idempotency key names one
 * request of an account: the same request again answers the same transaction (200), another
 * request under the key is refused (409 IDEMPOTENCY_KEY_REUSED). Admin claims the key before
 * the command, so two different requests racing under one key never both reach the ledger.
 */
@Injectable()
export class CreditsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
    private readonly transactions: TransactionsService,
    private readonly store: CreditsStore,
  ) {}

  async grant(
    accountId: string,
    request: GrantCreditRequest,
  ): Promise<{ created: boolean; transaction: CreditTransaction }> {
    const amount = validAmount(request.amount);
    await this.accounts.require(accountId);
    const manager = this.dataSource.manager;
    const key = request.idempotency_key;
    const claimed = await this.store.claim(manager, accountId, key, {
      kind: request.kind,
      amount: amount.toFixed(),
      reason: request.reason,
    });
    if (!claimed) {
      const earlier = await this.store.find(manager, accountId, key);
      if (!earlier || !sameRequest(earlier, request, amount)) {
        throw new CreditsException(
          CreditsExceptionCode.IDEMPOTENCY_KEY_REUSED,
          `idempotency_key ${key} was used for another credit request`,
        );
      }
      if (earlier.transaction_id !== null && earlier.posted_at !== null) {
        return {
          created: false,
          transaction: this.present(
            request.kind,
            amount,
            earlier.transaction_id,
            earlier.posted_at,
          ),
        };
      }
      // The first request is still in flight (or stopped before it was answered): sending it
      // again is safe, the ledger posts a key of one kind once.
    }
    let reply: GrantReply;
    try {
      reply = await this.commands.send<GrantReply>('ledger.grant-credit', {
        account_id: accountId,
        amount: request.amount,
        kind: request.kind,
        reason: request.reason,
        idempotency_key: key,
      });
    } catch (error) {
      if (claimed && error instanceof CommandRefusal)
        await this.store.release(manager, accountId, key);
      throw error;
    }
    const postedAt =
      reply.posted_at ?? (await this.projectedPostedAt(accountId, reply.transaction_id));
    await this.store.complete(manager, accountId, key, {
      transactionId: reply.transaction_id,
      postedAt,
    });
    return {
      // The request whose command posted it created it, whichever claimed the key: two
      // instances may send one request's command at once, and the ledger posts the first.
      created: reply.replayed !== true,
      transaction: this.present(request.kind, amount, reply.transaction_id, postedAt),
    };
  }

  /**
   * The ledger's reply names the transaction but not (yet) when it was posted: that instant
   * comes with the transaction on ledger.transactions, which admin projects within moments.
   */
  private async projectedPostedAt(accountId: string, transactionId: string): Promise<string> {
    const deadline = Date.now() + POSTED_AT_WAIT_MS;
    for (;;) {
      const projected = await this.transactions.find(accountId, transactionId);
      if (projected) return projected.posted_at;
      if (Date.now() > deadline) return new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private present(
    kind: string,
    amount: Decimal,
    transactionId: string,
    postedAt: Date | string,
  ): CreditTransaction {
    return {
      transaction_id: transactionId,
      kind,
      amount: presentAmount(kind === 'refund' ? amount.negated() : amount),
      posted_at: presentInstant(postedAt),
    };
  }
}

function sameRequest(
  earlier: CreditRequestRow,
  request: GrantCreditRequest,
  amount: Decimal,
): boolean {
  return (
    earlier.kind === request.kind &&
    new Decimal(earlier.amount).equals(amount) &&
    earlier.reason === request.reason
  );
}

/** As the ledger refuses them, but before a command is sent: 422 INVALID_AMOUNT. */
function validAmount(value: unknown): Decimal {
  try {
    return creditGrantAmount(value);
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    throw new CreditsException(CreditsExceptionCode.INVALID_AMOUNT, error.message);
  }
}
