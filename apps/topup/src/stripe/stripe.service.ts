import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import Stripe from 'stripe';
import { formatAmount, toMinorUnits } from '@tally/budget-domain';
import type { TopUpConfig } from '../config/topup.config';
import { stripeEndpoint } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { StripeException, StripeExceptionCode } from './stripe.exception';
import { redactStripeText, stripeIdOf } from './stripe-refs';
import { refundFactOf } from './stripe-refunds';
import type { RefundFact } from './stripe-refunds';

/** How an off-session charge ended, as far as this call could tell. */
export type ChargeOutcome =
  | { outcome: 'succeeded'; paymentIntentId: string }
  /** Stripe is still working on it: the payment stays pending until its webhook. */
  | { outcome: 'processing'; paymentIntentId: string }
  /** Declined, needing the customer (requires_action), or refused: auto top-up pauses. */
  | { outcome: 'failed'; paymentIntentId: string | null; code: string }
  /** No usable answer (network, rate limit, server error): the same key is tried again later. */
  | { outcome: 'retry'; code: string };

export interface PaymentMetadata {
  readonly accountId: string;
  readonly entryId: string;
  readonly trigger: 'manual' | 'auto';
  readonly paidAmount: Decimal;
  readonly paidCurrency: string;
  readonly creditAmount: Decimal;
}

/**
 * Top-up's only door to Stripe, through the official client (STRIPE_API_URL points it at a
 * local Stripe-compatible server). Every call that creates something carries an idempotency
 * key, so a retry returns what the first call created. Payment method ids are passed to
 * Stripe and nowhere else: not into metadata, not into logs.
 */
@Injectable()
export class StripeService implements OnModuleInit {
  private readonly logger = new Logger('Stripe');
  private readonly client: Stripe | undefined;

  constructor(@Inject(TOPUP_CONFIG) private readonly config: TopUpConfig) {
    const { secretKey, apiUrl, maxNetworkRetries } = config.stripe;
    this.client = secretKey
      ? new Stripe(secretKey, {
          ...(apiUrl ? stripeEndpoint(apiUrl) : {}),
          maxNetworkRetries,
          telemetry: false,
          timeout: 20_000,
          appInfo: { name: 'tally-topup' },
        })
      : undefined;
  }

  onModuleInit(): void {
    if (this.config.liveBlocked)
      this.logger.warn(
        'STRIPE_SECRET_KEY is a live key and TOPUP_ALLOW_LIVE is not set: every top-up command and automatic charge answers LIVE_TOPUP_BLOCKED; webhooks are still verified and recorded',
      );
    else if (!this.config.stripe.secretKey)
      this.logger.warn('no STRIPE_SECRET_KEY: top-up runs dry (no Stripe call; replies dry_run)');
    else if (this.config.dryRun) this.logger.log('TOPUP_DRY_RUN: no Stripe call; replies dry_run');
    if (!this.config.stripe.webhookSecret)
      this.logger.warn('no STRIPE_WEBHOOK_SECRET: every webhook is refused (400)');
    if (!this.config.autoEnabled)
      this.logger.log('TOPUP_AUTO_ENABLED is off: no automatic charge is made');
  }

  /** Refuses every command while a live key is not explicitly allowed. */
  assertAllowed(): void {
    if (this.config.liveBlocked) {
      throw new StripeException(
        StripeExceptionCode.LIVE_TOPUP_BLOCKED,
        'a live Stripe key is configured without TOPUP_ALLOW_LIVE: top-ups are blocked',
      );
    }
  }

  /** No Stripe call at all: TOPUP_DRY_RUN, or no secret key. */
  get dryRun(): boolean {
    return this.config.dryRun;
  }

  get liveBlocked(): boolean {
    return this.config.liveBlocked;
  }

  /** A hosted payment page for one credit pack (mode payment). */
  async createCheckoutSession(input: {
    readonly payment: PaymentMetadata;
    readonly customerId: string | null;
    readonly successUrl: string;
    readonly cancelUrl: string;
  }): Promise<{ id: string; url: string | null }> {
    const { payment } = input;
    const metadata = metadataOf(payment);
    const session = await this.call('create a checkout session', (stripe) =>
      stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: payment.paidCurrency.toLowerCase(),
                unit_amount: toMinorUnits(payment.paidAmount, payment.paidCurrency),
                product_data: {
                  name: `Tally credit: ${payment.creditAmount.toFixed()} USD`,
                },
              },
            },
          ],
          client_reference_id: payment.accountId,
          ...(input.customerId ? { customer: input.customerId } : {}),
          metadata,
          payment_intent_data: { metadata },
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        { idempotencyKey: `tally-checkout-${payment.entryId}` },
      ),
    );
    return { id: session.id, url: session.url };
  }

  /** A hosted page that saves a payment method for off-session charges (mode setup). */
  async createSetupSession(input: {
    readonly accountId: string;
    readonly customerId: string | null;
    readonly paidCurrency: string;
    readonly enableAutoTopUp: boolean;
    readonly successUrl: string;
    readonly cancelUrl: string;
    readonly idempotencyKey: string;
  }): Promise<{ id: string; url: string | null }> {
    const metadata = {
      account_id: input.accountId,
      purpose: 'auto_topup_setup',
      enable_auto_topup: String(input.enableAutoTopUp),
    };
    const session = await this.call('create a setup session', (stripe) =>
      stripe.checkout.sessions.create(
        {
          mode: 'setup',
          currency: input.paidCurrency.toLowerCase(),
          ...(input.customerId
            ? { customer: input.customerId }
            : { customer_creation: 'always' as const }),
          client_reference_id: input.accountId,
          metadata,
          setup_intent_data: { metadata },
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: session.id, url: session.url };
  }

  /** The customer and payment method a completed setup saved (a setup session names only its SetupIntent). */
  async savedBySetupIntent(
    setupIntentId: string,
  ): Promise<{ customerId: string | null; paymentMethodId: string | null }> {
    const setupIntent = await this.call('read a setup intent', (stripe) =>
      stripe.setupIntents.retrieve(setupIntentId),
    );
    return {
      customerId: stripeIdOf(setupIntent.customer),
      paymentMethodId: stripeIdOf(setupIntent.payment_method),
    };
  }

  /** Every refund of a charge as Stripe has it now (a charge.refunded event no longer lists them). */
  async refundsOfCharge(chargeId: string): Promise<RefundFact[]> {
    const refunds = await this.call("list a charge's refunds", (stripe) =>
      stripe.refunds.list({ charge: chargeId, limit: 100 }).autoPagingToArray({ limit: 10_000 }),
    );
    return refunds.flatMap((refund) => refundFactOf(refund) ?? []);
  }

  /** A charge's amount, in the minor units of its currency. */
  async chargeAmount(chargeId: string): Promise<{ minor: number; currency: string }> {
    const charge = await this.call('read a charge', (stripe) => stripe.charges.retrieve(chargeId));
    return { minor: charge.amount, currency: charge.currency };
  }

  /**
   * One off-session PaymentIntent (confirm: true, off_session: true) under the decision's
   * idempotency key: however often it is retried, Stripe charges once and answers the same.
   */
  async chargeOffSession(input: {
    readonly payment: PaymentMetadata;
    readonly decisionId: string;
    /** When the charge was decided: no PaymentIntent of it can be older. */
    readonly decidedAt: Date;
    readonly customerId: string;
    readonly paymentMethodId: string;
  }): Promise<ChargeOutcome> {
    const { payment } = input;
    const stripe = this.requireClient();
    try {
      const paymentIntent = await stripe.paymentIntents.create(
        {
          amount: toMinorUnits(payment.paidAmount, payment.paidCurrency),
          currency: payment.paidCurrency.toLowerCase(),
          customer: input.customerId,
          payment_method: input.paymentMethodId,
          off_session: true,
          confirm: true,
          description: `Tally automatic top-up: ${payment.creditAmount.toFixed()} USD of credit`,
          metadata: { ...metadataOf(payment), decision_id: input.decisionId },
        },
        { idempotencyKey: autoChargeIdempotencyKey(input.decisionId) },
      );
      return outcomeOf(paymentIntent);
    } catch (error) {
      // The key was used with other parameters (the card changed since an attempt whose answer
      // was lost): that attempt may have charged, so what it made is asked for, not assumed.
      if (error instanceof Stripe.errors.StripeIdempotencyError) {
        const earlier = await this.earlierCharge(
          input.customerId,
          input.decisionId,
          input.decidedAt,
        );
        if (earlier) return earlier;
      }
      return this.chargeFailure(error);
    }
  }

  /**
   * What an earlier attempt of this decision made, when it cannot be sent again under its key
   * (the card was removed or replaced meanwhile): the customer's PaymentIntent carrying the
   * decision, or undefined when no attempt reached Stripe. Listing is strongly consistent, unlike
   * search.
   */
  async earlierCharge(
    customerId: string,
    decisionId: string,
    decidedAt: Date,
  ): Promise<ChargeOutcome | undefined> {
    const stripe = this.requireClient();
    try {
      const made = await stripe.paymentIntents
        .list({
          customer: customerId,
          // Minutes of slack for the two clocks; a decision is charged within about 37 minutes.
          created: { gte: Math.floor(decidedAt.getTime() / 1000) - 600 },
          limit: 100,
        })
        .autoPagingToArray({ limit: 10_000 });
      const paymentIntent = made.find((each) => each.metadata['decision_id'] === decisionId);
      return paymentIntent ? outcomeOf(paymentIntent) : undefined;
    } catch (error) {
      this.logger.warn(
        `could not list the PaymentIntents of a charge, will retry: ${describe(error)}`,
      );
      return {
        outcome: 'retry',
        code: error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : 'no_answer',
      };
    }
  }

  private chargeFailure(error: unknown): ChargeOutcome {
    if (error instanceof Stripe.errors.StripeCardError) {
      return {
        outcome: 'failed',
        paymentIntentId: error.payment_intent?.id ?? null,
        code: error.code ?? 'card_error',
      };
    }
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError ||
      error instanceof Stripe.errors.StripeIdempotencyError
    ) {
      this.logger.warn(`off-session charge refused: ${describe(error)}`);
      return {
        outcome: 'failed',
        paymentIntentId: error.payment_intent?.id ?? null,
        code: error.code ?? error.type,
      };
    }
    this.logger.warn(`off-session charge got no usable answer, will retry: ${describe(error)}`);
    return {
      outcome: 'retry',
      code: error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : 'no_answer',
    };
  }

  private async call<T>(what: string, request: (stripe: Stripe) => Promise<T>): Promise<T> {
    const stripe = this.requireClient();
    try {
      return await request(stripe);
    } catch (error) {
      this.logger.warn(`could not ${what}: ${describe(error)}`);
      throw new StripeException(
        StripeExceptionCode.STRIPE_UNAVAILABLE,
        `Stripe could not ${what}: ${error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : 'no answer'}`,
      );
    }
  }

  private requireClient(): Stripe {
    if (!this.client || this.config.dryRun || this.config.liveBlocked) {
      throw new Error('a Stripe call was attempted while top-up runs dry or blocked');
    }
    return this.client;
  }
}

/** How a PaymentIntent of an automatic charge stands, as the charge's outcome. */
function outcomeOf(paymentIntent: Stripe.PaymentIntent): ChargeOutcome {
  switch (paymentIntent.status) {
    case 'succeeded':
      return { outcome: 'succeeded', paymentIntentId: paymentIntent.id };
    case 'processing':
    case 'requires_capture':
      return { outcome: 'processing', paymentIntentId: paymentIntent.id };
    case 'requires_action':
    case 'requires_confirmation':
    case 'requires_payment_method':
    case 'canceled':
      return {
        outcome: 'failed',
        paymentIntentId: paymentIntent.id,
        code: paymentIntent.last_payment_error?.code ?? paymentIntent.status,
      };
  }
  // A status this code does not know: its webhook will settle it.
  return { outcome: 'processing', paymentIntentId: paymentIntent.id };
}

/** Derived from the decision alone: every retry of one decision sends the same key. */
export function autoChargeIdempotencyKey(decisionId: string): string {
  return `tally-auto-topup-${decisionId}`;
}

/** What every payment carries to Stripe and back in its webhooks: ids and amounts, no secrets. */
function metadataOf(payment: PaymentMetadata): Record<string, string> {
  return {
    account_id: payment.accountId,
    entry_id: payment.entryId,
    trigger: payment.trigger,
    paid_amount: formatAmount(payment.paidAmount),
    paid_currency: payment.paidCurrency,
    credit_amount: formatAmount(payment.creditAmount),
  };
}

function describe(error: unknown): string {
  if (error instanceof Stripe.errors.StripeError) {
    return redactStripeText(
      `${error.type}${error.code ? ` ${error.code}` : ''}${error.statusCode ? ` (HTTP ${error.statusCode})` : ''}: ${error.message}`,
    );
  }
  return redactStripeText(error instanceof Error ? error.message : String(error));
}
