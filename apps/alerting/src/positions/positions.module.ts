import { Module } from '@nestjs/common';
import { PositionalConsumers } from './positional-consumers';
import { PositionsStore } from './positions.store';

@Module({
  providers: [PositionsStore, PositionalConsumers],
  exports: [PositionalConsumers],
})
export class PositionsModule {}
