import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { AlertingCommandsController } from './alerting-commands.controller';

/** Patterns alerting answers over Kafka request-reply (DESIGN 2). */
export const ALERTING_COMMAND_PATTERNS = [
  'alerting.set-channel',
  'alerting.list-channels',
  'alerting.delete-channel',
  'alerting.history',
] as const;

@Module({
  imports: [ChannelsModule, DeliveriesModule],
  controllers: [AlertingCommandsController],
})
export class CommandsModule {}
