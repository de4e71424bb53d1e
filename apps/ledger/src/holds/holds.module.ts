import { Module } from '@nestjs/common';
import { HoldSweep } from './hold-sweep.service';
import { HoldsStore } from './holds.store';

@Module({ providers: [HoldsStore, HoldSweep], exports: [HoldsStore, HoldSweep] })
export class HoldsModule {}
