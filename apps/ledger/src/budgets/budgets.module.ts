import { Module } from '@nestjs/common';
import { PostingsModule } from '../postings/postings.module';
import { BudgetsService } from './budgets.service';

@Module({ imports: [PostingsModule], providers: [BudgetsService], exports: [BudgetsService] })
export class BudgetsModule {}
