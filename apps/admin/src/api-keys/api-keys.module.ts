import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CommandsModule } from '../commands/commands.module';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ApiKeysStore } from './api-keys.store';

@Module({
  imports: [AccountsModule, CommandsModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeysStore],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
