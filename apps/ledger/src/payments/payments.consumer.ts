import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { Topics, parsePaymentEvent } from '@tally/budget-domain';
import type { PaymentEvent } from '@tally/budget-domain';
import type { ConsumedMessage } from '@tally/messaging';
import { MessagingService, enqueueOutbox, triage } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import type { NewTransaction } from '../postings/ledger.store';
import { LedgerStore, balancesOf } from '../postings/ledger.store';
import { PostingService, applyPostings } from '../postings/posting.service';

const INBOX = 'payments.events';

/**
 * Payment facts from top-up: a purchase credits the wallet from payments clearing, a refund
 * takes it back (negative credit). A failed payment moves no money. Each payment id counts once.
 */
@Injectable()
export class PaymentsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly store: LedgerStore,
    private readonly postings: PostingService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consume({
      topics: [Topics.PaymentsEvents],
      handler: (messages) => this.handle(messages),
    });
  }

  async handle(messages: ConsumedMessage[]): Promise<void> {
    const now = this.clock.now();
    const { accepted, rejected } = triage(messages, parsePaymentEvent, (payment) => payment.id, {
      topic: this.messaging.topic(Topics.UsageDeadLetter),
      service: 'ledger',
      at: now,
    });
    await this.dataSource.transaction(async (manager) => {
      const payments = (await this.messaging.claimNew(manager, INBOX, accepted))
        .map((item) => item.value)
        .filter((payment) => payment.kind !== 'credit_failed');
      const deadLetters = await this.messaging.claimNew(manager, INBOX, rejected);
      const outbox = deadLetters.map((item) => item.deadLetter);
      if (payments.length > 0) {
        const accountIds = [...new Set(payments.map((payment) => payment.account_id))].sort();
        await this.store.openAccounts(manager, accountIds, 'payment');
        const locked = await this.postings.lock(manager, accountIds, now);
        const transactions = payments.map((payment) => {
          const transaction = paymentTransaction(payment);
          applyPostings(balancesOf(locked.balances, payment.account_id), transaction);
          return transaction;
        });
        outbox.push(...(await this.postings.postLocked(manager, locked, transactions, now)));
      }
      await enqueueOutbox(manager, outbox);
    });
    this.messaging.outboxCommitted();
  }
}

function paymentTransaction(payment: PaymentEvent): NewTransaction {
  const credit = new Decimal(payment.credit_amount);
  const signed = payment.kind === 'credit_refunded' ? credit.negated() : credit;
  return {
    accountId: payment.account_id,
    transactionId: randomUUID(),
    kind: payment.kind === 'credit_refunded' ? 'purchase_refund' : 'purchase',
    sourceId: payment.id,
    occurredAt: payment.at,
    details: {
      trigger: payment.trigger,
      paid_amount: payment.paid_amount,
      paid_currency: payment.paid_currency,
      stripe_ref: payment.stripe_ref,
    },
    postings: [
      { code: 'credit', amount: signed },
      { code: 'payments_clearing', amount: signed.negated() },
    ],
  };
}
