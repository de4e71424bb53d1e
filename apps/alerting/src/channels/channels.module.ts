import { Module } from '@nestjs/common';
import { ChannelsService } from './channels.service';
import { ChannelsStore } from './channels.store';

@Module({
  providers: [ChannelsService, ChannelsStore],
  exports: [ChannelsService, ChannelsStore],
})
export class ChannelsModule {}
