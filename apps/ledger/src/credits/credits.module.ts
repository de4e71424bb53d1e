import { Module } from '@nestjs/common';
import { PostingsModule } from '../postings/postings.module';
import { CreditsService } from './credits.service';

@Module({
  imports: [PostingsModule],
  providers: [CreditsService],
  exports: [CreditsService],
})
export class CreditsModule {}
