import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parseTopUpStatusChanged } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { Clock } from '../clock';
import { TopUpStatusStore } from './topup-status.store';

/** topup.status-changed: the latest auto top-up state of each account, by sequence. */
@Injectable()
export class TopUpStatusConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly store: TopUpStatusStore,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.TopUpStatusChanged,
      decode: parseTopUpStatusChanged,
      idOf: (status) => `${status.account_id}/${status.sequence}`,
      // keepLatest ignores a status whose sequence is not above the kept one (ADR 0135).
      appliesLatestBySequence: true,
      effect: (statuses, tx) => this.store.keepLatest(tx.manager, statuses),
      now: () => this.clock.now(),
    });
  }
}
