import { Module } from '@nestjs/common';
import { DeliveriesStore } from './deliveries.store';
import { DeliveryHistory } from './delivery-history.service';
import { DeliveryWorker } from './delivery.worker';
import { EmailSender } from './email.sender';

@Module({
  providers: [DeliveriesStore, DeliveryWorker, DeliveryHistory, EmailSender],
  exports: [DeliveriesStore, DeliveryWorker, DeliveryHistory],
})
export class DeliveriesModule {}
