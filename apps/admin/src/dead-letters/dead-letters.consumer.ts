import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parseDeadLetter } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { DeadLettersStore } from './dead-letters.store';

/**
 * usage.dead-letter -> the dead letters ops list, exactly once by stored log position. A record
 * here that is not a dead letter becomes one itself (from admin), which is then listed.
 */
@Injectable()
export class DeadLettersConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly store: DeadLettersStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.UsageDeadLetter,
      decode: parseDeadLetter,
      exactlyOnceBy: 'position',
      effect: (records, tx) => this.store.insert(tx.manager, records),
    });
  }
}
