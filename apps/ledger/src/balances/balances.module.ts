import { Module } from '@nestjs/common';
import { HoldsModule } from '../holds/holds.module';
import { PostingsModule } from '../postings/postings.module';
import { BalancesService } from './balances.service';

@Module({
  imports: [PostingsModule, HoldsModule],
  providers: [BalancesService],
  exports: [BalancesService],
})
export class BalancesModule {}
