import { Module } from '@nestjs/common';
import { DeadLettersConsumer } from './dead-letters.consumer';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';
import { DeadLettersStore } from './dead-letters.store';

@Module({
  controllers: [DeadLettersController],
  providers: [DeadLettersService, DeadLettersStore, DeadLettersConsumer],
})
export class DeadLettersModule {}
