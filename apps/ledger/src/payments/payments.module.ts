import { Module } from '@nestjs/common';
import { PostingsModule } from '../postings/postings.module';
import { PaymentsConsumer } from './payments.consumer';

@Module({
  imports: [PostingsModule],
  providers: [PaymentsConsumer],
})
export class PaymentsModule {}
