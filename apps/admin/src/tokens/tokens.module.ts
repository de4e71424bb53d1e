import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';
import { TokensStore } from './tokens.store';

@Module({
  imports: [AccountsModule],
  controllers: [TokensController],
  providers: [TokensService, TokensStore],
  exports: [TokensService],
})
export class TokensModule {}
