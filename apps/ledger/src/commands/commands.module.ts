import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BalancesModule } from '../balances/balances.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { CouponsModule } from '../coupons/coupons.module';
import { CreditsModule } from '../credits/credits.module';
import { PlansModule } from '../plans/plans.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { LedgerCommandsController } from './ledger-commands.controller';
import { PlanCommandsController } from './plan-commands.controller';

/** Patterns the ledger answers over Kafka request-reply. */
export const LEDGER_COMMAND_PATTERNS = [
  'ledger.create-account',
  'ledger.create-api-key',
  'ledger.revoke-api-key',
  'ledger.set-budget',
  'ledger.grant-credit',
  'ledger.budget-status',
  'ledger.reconcile',
  'ledger.set-plan',
  'ledger.list-plans',
  'ledger.get-plan',
  'ledger.assign-plan',
  'ledger.set-monthly-cap',
  'ledger.get-monthly-cap',
  'ledger.remove-monthly-cap',
  'ledger.create-coupon',
  'ledger.redeem-coupon',
] as const;

@Module({
  imports: [
    AccountsModule,
    CreditsModule,
    BalancesModule,
    ReconciliationModule,
    BudgetsModule,
    PlansModule,
    CouponsModule,
  ],
  controllers: [LedgerCommandsController, PlanCommandsController],
})
export class CommandsModule {}
