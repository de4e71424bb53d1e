import { Module } from '@nestjs/common';
import { PostingsModule } from '../postings/postings.module';
import { AccountsService } from './accounts.service';

@Module({
  imports: [PostingsModule],
  providers: [AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
