import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { MessagingModule } from '@tally/messaging';
import { PersistenceModule } from '@tally/persistence';
import { ObservabilityModule } from '@tally/platform';
import { outboxRetentionDays } from './config/metering.config';
import type { MeteringConfig } from './config/metering.config';
import { METERING_CONFIG } from './config/metering.tokens';
import { METERING_MIGRATIONS } from './migrations/metering.migrations';
import { RatingModule } from './rating/rating.module';
import { RATING_TOPICS_ALL } from './rating/rating.topics';

/** The metering service: usage.events in, usage.rated and usage.dead-letter out. */
@Module({})
export class MeteringModule {
  static forRoot(config: MeteringConfig): DynamicModule {
    return {
      module: MeteringModule,
      global: true,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            config: config.database,
            applicationName: 'tally-metering',
            migrations: METERING_MIGRATIONS,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            kafka: config.kafka,
            service: 'metering',
            topics: RATING_TOPICS_ALL,
            outboxRetentionDays: outboxRetentionDays(config.rating),
            // Five weeks or so of days: a week per partition keeps each read of the outbox cheap.
            outboxPartitionDays: 7,
            // Metering answers no latency-sensitive requests: larger rounds, fewer Kafka transactions.
            relay: { maxRoundBytes: 4 * 1024 * 1024 },
          }),
        }),
        ObservabilityModule,
        RatingModule,
      ],
      providers: [{ provide: METERING_CONFIG, useValue: config }],
      exports: [METERING_CONFIG],
    };
  }
}
