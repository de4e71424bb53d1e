import { Module } from '@nestjs/common';
import { EntriesService } from './entries.service';
import { EntriesStore } from './entries.store';

@Module({ providers: [EntriesStore, EntriesService], exports: [EntriesStore, EntriesService] })
export class EntriesModule {}
