import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { creditForPayment, formatAmount, minorUnitsOf, monthStartOf } from '@tally/budget-domain';
import { DataSource } from 'typeorm';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import type { TopUpConfig } from '../config/topup.config';
import { creditRatesOf } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { EntriesStore } from '../entries/entries.store';
import { validPaidAmount } from '../entries/paid-amount';
import { StripeService } from '../stripe/stripe.service';
import { CheckoutException, CheckoutExceptionCode } from './checkout.exception';

export interface CheckoutRequest {
  readonly accountId: string;
  readonly amountPaid?: string | undefined;
  readonly pack?: string | undefined;
  readonly successUrl?: string | undefined;
  readonly cancelUrl?: string | undefined;
  readonly dryRun?: boolean | undefined;
}

export interface CheckoutReply {
  checkout_url: string | null;
  session_id: string | null;
  credit_amount: string;
  paid_amount: string;
  paid_currency: string;
  dry_run: boolean;
}

export interface SetupRequest {
  readonly accountId: string;
  readonly successUrl?: string | undefined;
  readonly cancelUrl?: string | undefined;
  readonly enableAutoTopUp?: boolean | undefined;
}

/**
 * Hosted Stripe pages: a Checkout Session for one credit pack (the credit it buys is computed
 * exactly now and recorded with the payment), and a setup session that saves a payment method
 * for automatic top-ups. The payment is recorded before Stripe is asked for the session, so a
 * webhook always finds it, even after a crash in between.
 */
@Injectable()
export class CheckoutService {
  constructor(
    @Inject(TOPUP_CONFIG) private readonly config: TopUpConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly entries: EntriesStore,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly stripe: StripeService,
  ) {}

  async createCheckout(request: CheckoutRequest): Promise<CheckoutReply> {
    this.stripe.assertAllowed();
    const paidAmount = validPaidAmount(this.amountOf(request), this.config, 'amount_paid');
    const paidCurrency = this.config.paidCurrency;
    const creditAmount = creditForPayment(paidAmount, paidCurrency, creditRatesOf(this.config));
    const figures = {
      credit_amount: formatAmount(creditAmount),
      paid_amount: formatAmount(paidAmount),
      paid_currency: paidCurrency,
    };
    if (this.stripe.dryRun || request.dryRun) {
      return { checkout_url: null, session_id: null, ...figures, dry_run: true };
    }
    const key = { accountId: request.accountId, entryId: randomUUID() };
    const manager = this.dataSource.manager;
    await this.entries.insert(manager, {
      ...key,
      kind: 'purchase',
      trigger: 'manual',
      status: 'open',
      creditAmount,
      paidAmount,
      paidCurrency,
      createdAt: new Date(),
    });
    let session: { id: string; url: string | null };
    try {
      session = await this.stripe.createCheckoutSession({
        payment: {
          ...key,
          trigger: 'manual',
          paidAmount,
          paidCurrency,
          creditAmount,
        },
        customerId: await this.customerOf(request.accountId),
        successUrl: validUrl(request.successUrl, 'success_url') ?? this.config.checkout.successUrl,
        cancelUrl: validUrl(request.cancelUrl, 'cancel_url') ?? this.config.checkout.cancelUrl,
      });
    } catch (error) {
      await this.entries.discardOpen(manager, key);
      throw error;
    }
    await this.entries.attachStripeIds(manager, key, { checkoutSessionId: session.id });
    return { checkout_url: session.url, session_id: session.id, ...figures, dry_run: false };
  }

  async createSetup(
    request: SetupRequest,
  ): Promise<{ checkout_url: string | null; session_id: string | null; dry_run?: true }> {
    this.stripe.assertAllowed();
    const successUrl =
      validUrl(request.successUrl, 'success_url') ?? this.config.checkout.successUrl;
    const cancelUrl = validUrl(request.cancelUrl, 'cancel_url') ?? this.config.checkout.cancelUrl;
    if (this.stripe.dryRun) return { checkout_url: null, session_id: null, dry_run: true };
    const session = await this.stripe.createSetupSession({
      accountId: request.accountId,
      customerId: await this.customerOf(request.accountId),
      paidCurrency: this.config.paidCurrency,
      enableAutoTopUp: request.enableAutoTopUp ?? true,
      successUrl,
      cancelUrl,
      idempotencyKey: `tally-setup-${randomUUID()}`,
    });
    return { checkout_url: session.url, session_id: session.id };
  }

  private amountOf(request: CheckoutRequest): string {
    if ((request.amountPaid === undefined) === (request.pack === undefined)) {
      throw new CheckoutException(
        CheckoutExceptionCode.VALIDATION_FAILED,
        `give exactly one of amount_paid or pack (${Object.keys(this.config.checkout.packs).join(', ')})`,
      );
    }
    if (request.amountPaid !== undefined) return request.amountPaid;
    // Own keys only: `packs["constructor"]` is Object's, not a pack, and has no toFixed.
    const packs = this.config.checkout.packs;
    const name = request.pack ?? '';
    const pack = Object.hasOwn(packs, name) ? packs[name] : undefined;
    if (!pack) {
      throw new CheckoutException(
        CheckoutExceptionCode.VALIDATION_FAILED,
        `unknown pack "${request.pack}": ${Object.keys(this.config.checkout.packs).join(', ')}`,
      );
    }
    return pack.toFixed(minorUnitsOf(this.config.paidCurrency));
  }

  /** The account's Stripe customer, if a setup saved one: its payments then show together. */
  private async customerOf(accountId: string): Promise<string | null> {
    const account = await this.settings.read(
      this.dataSource.manager,
      accountId,
      monthStartOf(new Date()),
    );
    return account?.settings.customerId ?? null;
  }
}

function validUrl(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CheckoutException(CheckoutExceptionCode.VALIDATION_FAILED, `${field} must be a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CheckoutException(
      CheckoutExceptionCode.VALIDATION_FAILED,
      `${field} must be an http(s) URL`,
    );
  }
  return value;
}
