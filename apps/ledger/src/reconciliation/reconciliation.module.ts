import { Module } from '@nestjs/common';
import { ReconciliationService } from './reconciliation.service';
import { ReconciliationStore } from './reconciliation.store';

@Module({
  providers: [ReconciliationService, ReconciliationStore],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
