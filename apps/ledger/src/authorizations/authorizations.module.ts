import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BooksModule } from '../books/books.module';
import { TopUpStatusModule } from '../topup-status/topup-status.module';
import { ApiKeyGuard } from './api-key.guard';
import { AuthorizationsController } from './authorizations.controller';
import { AuthorizationStore } from './authorization.store';
import { AuthorizationsService } from './authorizations.service';

@Module({
  imports: [AccountsModule, BooksModule, TopUpStatusModule],
  controllers: [AuthorizationsController],
  providers: [AuthorizationsService, AuthorizationStore, ApiKeyGuard],
})
export class AuthorizationsModule {}
