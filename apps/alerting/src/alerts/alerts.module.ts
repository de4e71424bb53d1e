import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { AlertsService } from './alerts.service';
import { AlertsStore } from './alerts.store';

@Module({
  imports: [ChannelsModule, DeliveriesModule],
  providers: [AlertsService, AlertsStore],
  exports: [AlertsService],
})
export class AlertsModule {}
