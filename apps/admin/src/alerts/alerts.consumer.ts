import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parseAlertFired } from '@tally/budget-domain';
import type { AlertFired } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { AccountsStore } from '../accounts/accounts.store';
import { SystemTotalsStore, emptyTotalsDelta } from '../accounts/system-totals.store';
import { AlertsStore } from './alerts.store';

/** alerts.fired -> each account's alert history (fired and resolved), each alert once. */
@Injectable()
export class AlertsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly accounts: AccountsStore,
    private readonly store: AlertsStore,
    private readonly totals: SystemTotalsStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.AlertsFired,
      decode: parseAlertFired,
      idOf: (alert) => alert.id,
      effect: (alerts, tx) => this.apply(alerts, tx),
    });
  }

  private async apply(alerts: AlertFired[], tx: OutboxTransaction): Promise<void> {
    const delta = emptyTotalsDelta();
    delta.accounts = await this.accounts.touch(
      tx.manager,
      alerts.map((alert) => alert.account_id),
    );
    await this.store.insert(tx.manager, alerts);
    await this.totals.add(tx.manager, delta);
  }
}
