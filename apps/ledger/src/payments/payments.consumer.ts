import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { Topics, parsePaymentEvent } from '@tally/budget-domain';
import type { PaymentEvent } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { Books } from '../books/books.service';
import type { NewTransaction } from '../books/ledger.store';
import { Clock } from '../clock';

/**
 * Payment facts from top-up: a purchase credits the wallet from payments clearing, a refund
 * takes it back (negative credit). A failed payment moves no money. Each payment id counts once.
 */
@Injectable()
export class PaymentsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.PaymentsEvents,
      decode: parsePaymentEvent,
      idOf: (payment) => payment.id,
      effect: (payments, tx, now) => this.post(payments, tx, now),
      now: () => this.clock.now(),
    });
  }

  private async post(payments: PaymentEvent[], tx: OutboxTransaction, now: Date): Promise<void> {
    const moving = payments.filter((payment) => payment.kind !== 'credit_failed');
    if (moving.length === 0) return;
    const accountIds = moving.map((payment) => payment.account_id);
    await this.books.transact(tx, { accountIds, now, open: 'payment' }, (books) => {
      for (const payment of moving) books.record(paymentTransaction(payment));
    });
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
