import { Module } from '@nestjs/common';
import { PostingsModule } from '../postings/postings.module';
import { BalancesService } from './balances.service';

@Module({ imports: [PostingsModule], providers: [BalancesService], exports: [BalancesService] })
export class BalancesModule {}
