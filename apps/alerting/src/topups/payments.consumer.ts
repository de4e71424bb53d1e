import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import {
  Topics,
  UNKNOWN_STANDING,
  autoTopUpFailureConditions,
  parsePaymentEvent,
} from '@tally/budget-domain';
import type { PaymentEvent } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { AlertsService } from '../alerts/alerts.service';
import { BalanceStatesStore } from '../balances/balance-states.store';
import { PositionalConsumers } from '../positions/positional-consumers';

/**
 * payments.events -> auto_topup_failed, fired by a failed auto top-up and resolved by the
 * next credit purchase. The alert is a condition, so a payment seen twice fires nothing more.
 */
@Injectable()
export class PaymentsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: PositionalConsumers,
    private readonly balances: BalanceStatesStore,
    private readonly alerts: AlertsService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.consumers.start({
      topic: Topics.PaymentsEvents,
      decode: parsePaymentEvent,
      effect: (payments, tx, now) => this.apply(payments, tx, now),
    });
  }

  private async apply(
    payments: PaymentEvent[],
    tx: OutboxTransaction,
    now: Date,
  ): Promise<() => void> {
    const accountIds = [...new Set(payments.map((payment) => payment.account_id))];
    const standings = await this.balances.standings(tx.manager, accountIds);
    const session = await this.alerts.open(tx.manager, accountIds);
    for (const payment of payments) {
      const holding = autoTopUpFailureConditions(
        payment,
        standings.get(payment.account_id) ?? UNKNOWN_STANDING,
      );
      if (holding === undefined) continue;
      session.settle(
        { accountId: payment.account_id, apiKeyId: null },
        ['auto_topup_failed'],
        holding,
        now,
      );
    }
    return this.alerts.commit(tx, session, now);
  }
}
