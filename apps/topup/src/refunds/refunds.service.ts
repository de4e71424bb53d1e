import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EntriesStore, isUuid } from '../entries/entries.store';
import type { Entry, EntryKey } from '../entries/entries.store';
import { entryNamedIn, metadataOf, stripeIdOf } from '../stripe/stripe-refs';
import {
  DISPUTE_EVENT_TYPES,
  REFUND_EVENT_TYPES,
  disputeFactOf,
  listedRefundsOf,
  refundFactOf,
} from '../stripe/stripe-refunds';
import type { RefundFact } from '../stripe/stripe-refunds';
import { StripeException, StripeExceptionCode } from '../stripe/stripe.exception';
import { StripeService } from '../stripe/stripe.service';

/** What a Stripe event says of the refunds (lost disputes included) of one of top-up's payments. */
export interface RefundReport {
  readonly purchase: EntryKey;
  readonly paymentIntentId: string;
  readonly refunds: readonly RefundFact[];
  /** The charge's amount, in its currency's minor units: a refund in another currency than the paid one is a share of it. */
  readonly chargeMinor: number | undefined;
}

/**
 * Reads, before a webhook's transaction (no Stripe call inside one, ADR 0026), the refunds an
 * event reports, each with its id and status (ADR 0087): a Refund event its own refund; a
 * charge.refunded the charge's refunds, which it lists on API versions before 2022-11-15 and
 * which are read from Stripe otherwise, since its cumulative amount_refunded alone cannot tell
 * a new refund from an old total arriving late, nor a refund that failed since. A Dispute
 * event carries its dispute, which the bank's decision makes a refund (ADR 0156).
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger('Refunds');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly entries: EntriesStore,
    private readonly stripe: StripeService,
  ) {}

  /** Undefined for an event about no refund, or about a payment top-up did not make (Stripe is not asked then). */
  async report(type: string, object: Record<string, unknown>): Promise<RefundReport | undefined> {
    if (type === 'charge.refunded') return this.ofCharge(object);
    if (REFUND_EVENT_TYPES.has(type)) return this.ofOne(refundFactOf(object), object);
    if (DISPUTE_EVENT_TYPES.has(type)) return this.ofOne(disputeFactOf(object), object);
    return undefined;
  }

  private async ofCharge(charge: Record<string, unknown>): Promise<RefundReport | undefined> {
    const chargeId = stripeIdOf(charge['id']);
    const paymentIntentId = stripeIdOf(charge['payment_intent']);
    if (!chargeId || !paymentIntentId) return undefined;
    // The charge carries its PaymentIntent's metadata: it names the payment even before its
    // success was delivered (a checkout's payment intent is recorded only then).
    const purchase = await this.purchaseOf(metadataOf(charge), paymentIntentId);
    if (!purchase) return undefined;
    const refunds =
      listedRefundsOf(charge) ??
      (await this.fromStripe(`the refunds of ${chargeId}`, () =>
        this.stripe.refundsOfCharge(chargeId),
      ));
    const amount = charge['amount'];
    return {
      purchase,
      paymentIntentId,
      refunds,
      chargeMinor: typeof amount === 'number' ? amount : undefined,
    };
  }

  /** A Refund or a Dispute: each names its charge and payment intent, and is in the charge's currency. */
  private async ofOne(
    refund: RefundFact | undefined,
    object: Record<string, unknown>,
  ): Promise<RefundReport | undefined> {
    const chargeId = stripeIdOf(object['charge']);
    const paymentIntentId = stripeIdOf(object['payment_intent']);
    if (!refund || !chargeId || !paymentIntentId) return undefined;
    const purchase = await this.purchaseOf({}, paymentIntentId);
    if (!purchase) return undefined;
    if (refund.currency.toUpperCase() === purchase.paidCurrency)
      return { purchase, paymentIntentId, refunds: [refund], chargeMinor: undefined };
    const charge = await this.fromStripe(`the amount of ${chargeId}`, () =>
      this.stripe.chargeAmount(chargeId),
    );
    return { purchase, paymentIntentId, refunds: [refund], chargeMinor: charge.minor };
  }

  /** The payment, as it was made (its amounts and currency never change): unlocked. */
  private async purchaseOf(
    metadata: Record<string, string>,
    paymentIntentId: string,
  ): Promise<Entry | undefined> {
    const manager = this.dataSource.manager;
    const named = entryNamedIn(metadata);
    const key =
      named && isUuid(named.entryId)
        ? named
        : await this.entries.keyOfStripeId(manager, { paymentIntentId });
    return key && this.entries.read(manager, key);
  }

  /**
   * Dry, or blocked by the live guard, top-up asks Stripe nothing: the event answers 503 and
   * Stripe delivers it again, to be applied once top-up may ask.
   */
  private async fromStripe<T>(what: string, read: () => Promise<T>): Promise<T> {
    if (this.stripe.dryRun || this.stripe.liveBlocked) {
      const message = `top-up runs ${this.stripe.dryRun ? 'dry' : 'with a blocked live key'} and cannot read ${what} from Stripe: the event is refused for Stripe to deliver again`;
      this.logger.warn(message);
      throw new StripeException(StripeExceptionCode.STRIPE_UNAVAILABLE, message);
    }
    return read();
  }
}
