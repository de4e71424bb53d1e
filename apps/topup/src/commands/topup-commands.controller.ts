import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answerCommand } from '@tally/messaging';
import { AutoTopUpService } from '../auto-topup/auto-topup.service';
import { CheckoutService } from '../checkout/checkout.service';
import { EntriesService } from '../entries/entries.service';
import { StripeService } from '../stripe/stripe.service';
import {
  createCheckoutSchema,
  createSetupSchema,
  getAutoTopUpSchema,
  historySchema,
  updateAutoTopUpSchema,
} from './dtos/topup-commands.dto';

/**
 * Top-up's commands over Kafka request-reply (DESIGN 2), as admin sends them. Every one is
 * refused with LIVE_TOPUP_BLOCKED while a live key is not explicitly allowed.
 */
@Controller()
export class TopUpCommandsController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly autoTopUp: AutoTopUpService,
    private readonly entries: EntriesService,
    private readonly stripe: StripeService,
  ) {}

  @MessagePattern('topup.create-checkout')
  createCheckout(@Payload() payload: unknown) {
    return answerCommand(createCheckoutSchema, payload, (request) =>
      this.checkout.createCheckout({
        accountId: request.account_id,
        amountPaid: request.amount_paid,
        pack: request.pack,
        successUrl: request.success_url,
        cancelUrl: request.cancel_url,
        dryRun: request.dry_run,
      }),
    );
  }

  @MessagePattern('topup.create-setup')
  createSetup(@Payload() payload: unknown) {
    return answerCommand(createSetupSchema, payload, (request) =>
      this.checkout.createSetup({
        accountId: request.account_id,
        successUrl: request.success_url,
        cancelUrl: request.cancel_url,
        enableAutoTopUp: request.enable_auto_topup,
      }),
    );
  }

  @MessagePattern('topup.get-auto-topup')
  getAutoTopUp(@Payload() payload: unknown) {
    return answerCommand(getAutoTopUpSchema, payload, (request) => {
      this.stripe.assertAllowed();
      return this.autoTopUp.get(request.account_id);
    });
  }

  @MessagePattern('topup.update-auto-topup')
  updateAutoTopUp(@Payload() payload: unknown) {
    return answerCommand(updateAutoTopUpSchema, payload, (request) => {
      this.stripe.assertAllowed();
      return this.autoTopUp.update({
        accountId: request.account_id,
        enabled: request.enabled,
        amountPaid: request.amount_paid,
        triggerBelowPercent: request.trigger_below_percent,
        monthlyLimit: request.monthly_limit,
      });
    });
  }

  @MessagePattern('topup.history')
  history(@Payload() payload: unknown) {
    return answerCommand(historySchema, payload, (request) => {
      this.stripe.assertAllowed();
      return this.entries.history(request.account_id, request.cursor ?? undefined, request.limit);
    });
  }
}
