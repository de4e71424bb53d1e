import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BalancesModule } from '../balances/balances.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { CreditsModule } from '../credits/credits.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { LedgerCommandsController } from './ledger-commands.controller';

/** Patterns the ledger answers over Kafka request-reply. */
export const LEDGER_COMMAND_PATTERNS = [
  'ledger.create-account',
  'ledger.create-api-key',
  'ledger.revoke-api-key',
  'ledger.set-budget',
  'ledger.grant-credit',
  'ledger.budget-status',
  'ledger.reconcile',
] as const;

@Module({
  imports: [AccountsModule, CreditsModule, BalancesModule, ReconciliationModule, BudgetsModule],
  controllers: [LedgerCommandsController],
})
export class CommandsModule {}
