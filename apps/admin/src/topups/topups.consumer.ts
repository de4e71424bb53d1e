import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parsePaymentEvent, parseTopUpStatusChanged } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { AccountsStore } from '../accounts/accounts.store';
import { SystemTotalsStore, emptyTotalsDelta } from '../accounts/system-totals.store';
import { TopUpsStore } from './topups.store';

/**
 * payments.events -> each account's payments (Stripe references masked); topup.status-changed
 * -> each account's latest auto top-up state (a state: the highest sequence wins).
 */
@Injectable()
export class TopUpsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly accounts: AccountsStore,
    private readonly store: TopUpsStore,
    private readonly totals: SystemTotalsStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.PaymentsEvents,
      decode: parsePaymentEvent,
      idOf: (payment) => payment.id,
      effect: async (payments, tx) => {
        await this.touch(
          tx,
          payments.map((payment) => payment.account_id),
          () => this.store.insertPayments(tx.manager, payments),
        );
      },
    });
    await this.messaging.consumeTransactionally({
      topic: Topics.TopUpStatusChanged,
      decode: parseTopUpStatusChanged,
      idOf: (status) => `${status.account_id}/${status.sequence}`,
      effect: async (statuses, tx) => {
        await this.touch(
          tx,
          statuses.map((status) => status.account_id),
          () => this.store.saveStatuses(tx.manager, statuses),
        );
      },
    });
  }

  private async touch(
    tx: OutboxTransaction,
    accountIds: string[],
    apply: () => Promise<void>,
  ): Promise<void> {
    const delta = emptyTotalsDelta();
    delta.accounts = await this.accounts.touch(tx.manager, accountIds);
    await apply();
    await this.totals.add(tx.manager, delta);
  }
}
