import { Module } from '@nestjs/common';
import { AutoTopUpModule } from '../auto-topup/auto-topup.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { EntriesModule } from '../entries/entries.module';
import { StripeModule } from '../stripe/stripe.module';
import { TopUpCommandsController } from './topup-commands.controller';

/** Patterns top-up answers over Kafka request-reply (DESIGN 2). */
export const TOPUP_COMMAND_PATTERNS = [
  'topup.create-checkout',
  'topup.create-setup',
  'topup.get-auto-topup',
  'topup.update-auto-topup',
  'topup.history',
] as const;

@Module({
  imports: [AutoTopUpModule, CheckoutModule, EntriesModule, StripeModule],
  controllers: [TopUpCommandsController],
})
export class CommandsModule {}
