import { Inject, Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import type { PaymentEvent } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { counter } from '@tally/platform';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import { AutoTopUpStatusService } from '../auto-topup-status/auto-topup-status.service';
import { AutoTopUpService } from '../auto-topup/auto-topup.service';
import type { TopUpConfig } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { EntriesService } from '../entries/entries.service';
import { EntriesStore, isUuid } from '../entries/entries.store';
import type { Entry, EntryKey } from '../entries/entries.store';
import { SettlementService } from '../settlement/settlement.service';
import type { StripeIds } from '../settlement/settlement.service';
import { RefundsService } from '../refunds/refunds.service';
import type { RefundReport } from '../refunds/refunds.service';
import { entryNamedIn, metadataOf, redactStripeText, stripeIdOf } from '../stripe/stripe-refs';
import { StripeService } from '../stripe/stripe.service';
import { StripeEventsStore } from './stripe-events.store';
import { WebhooksException, WebhooksExceptionCode } from './webhooks.exception';

const webhooks = counter(
  'tally_topup_webhooks_total',
  'Stripe webhook deliveries: handled, duplicate (event seen before), bad_signature, malformed, ignored',
  ['outcome'],
);

type StripeObject = Record<string, unknown> & { id?: unknown };
type Outcome = {
  outcome: 'handled' | 'ignored';
  accountId: string | null;
  announced: PaymentEvent[];
};

const IGNORED: Outcome = { outcome: 'ignored', accountId: null, announced: [] };

/** What a setup session saved, read from Stripe before the transaction opens. */
interface SavedMethod {
  readonly customerId: string | null;
  readonly paymentMethodId: string | null;
}

/** What an event needs read (from Stripe, or the payment it names) before its transaction. */
interface ReadFromStripe {
  readonly saved: SavedMethod | undefined;
  readonly refunds: RefundReport | undefined;
}

/**
 * Stripe webhooks: verified on the raw body with the endpoint secret (stripe-node's
 * constructEvent), then applied in one transaction with the event id recorded, so a
 * redelivered event changes nothing; effects leave through the outbox. Whatever order a
 * payment's events come in, it is credited once (SettlementService).
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('StripeWebhooks');

  constructor(
    @Inject(TOPUP_CONFIG) private readonly config: TopUpConfig,
    private readonly messaging: MessagingService,
    private readonly events: StripeEventsStore,
    private readonly entries: EntriesStore,
    private readonly facts: EntriesService,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly status: AutoTopUpStatusService,
    private readonly autoTopUp: AutoTopUpService,
    private readonly settlement: SettlementService,
    private readonly stripe: StripeService,
    private readonly refunds: RefundsService,
  ) {}

  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
  ): Promise<{ received: true; outcome: string }> {
    const event = this.verify(rawBody, signature);
    const object = event.data.object as unknown as StripeObject;
    const read: ReadFromStripe = {
      saved: await this.savedBySetup(event.type, object),
      refunds: await this.refunds.report(event.type, object),
    };
    const now = new Date();
    const result = await this.messaging.transaction(async (tx) => {
      if (!(await this.events.claim(tx.manager, event.id, event.type))) return undefined;
      const outcome = await this.apply(tx, event.type, object, read, now);
      await this.events.recordOutcome(tx.manager, event.id, outcome.accountId, outcome.outcome);
      return outcome;
    });
    if (!result) {
      webhooks.inc({ outcome: 'duplicate' });
      return { received: true, outcome: 'duplicate' };
    }
    this.facts.count(result.announced);
    webhooks.inc({ outcome: result.outcome });
    return { received: true, outcome: result.outcome };
  }

  private verify(rawBody: Buffer | undefined, signature: string | undefined): Stripe.Event {
    const secret = this.config.stripe.webhookSecret;
    const refuse = (message: string): never => {
      webhooks.inc({ outcome: 'bad_signature' });
      throw new WebhooksException(WebhooksExceptionCode.BAD_SIGNATURE, message);
    };
    if (!secret)
      return refuse('no STRIPE_WEBHOOK_SECRET is configured: no webhook can be verified');
    if (!rawBody || rawBody.length === 0) return refuse('the request has no body');
    if (!signature) return refuse('the Stripe-Signature header is missing');
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signature, secret);
    } catch (error) {
      return refuse(
        `the Stripe-Signature does not verify: ${redactStripeText(error instanceof Error ? error.message : String(error))}`,
      );
    }
    const malformed = malformedEventReason(event);
    if (malformed) {
      webhooks.inc({ outcome: 'malformed' });
      throw new WebhooksException(
        WebhooksExceptionCode.VALIDATION_FAILED,
        `the event is signed but not one Stripe sends: ${malformed}`,
      );
    }
    return event;
  }

  /**
   * A completed setup session names only its SetupIntent; the payment method is read from
   * Stripe here, outside the transaction. Without a Stripe client (dry run), the
   * setup_intent.succeeded event that follows saves it instead.
   */
  private async savedBySetup(type: string, object: StripeObject): Promise<SavedMethod | undefined> {
    if (type !== 'checkout.session.completed' || object['mode'] !== 'setup') return undefined;
    const setupIntentId = stripeIdOf(object['setup_intent']);
    if (typeof object['setup_intent'] === 'object' && object['setup_intent'] !== null) {
      const setupIntent = object['setup_intent'] as StripeObject;
      return {
        customerId: stripeIdOf(setupIntent['customer']),
        paymentMethodId: stripeIdOf(setupIntent['payment_method']),
      };
    }
    if (!setupIntentId || this.stripe.dryRun || this.stripe.liveBlocked) return undefined;
    return this.stripe.savedBySetupIntent(setupIntentId);
  }

  private async apply(
    tx: OutboxTransaction,
    type: string,
    object: StripeObject,
    read: ReadFromStripe,
    now: Date,
  ): Promise<Outcome> {
    switch (type) {
      case 'checkout.session.completed':
        return object['mode'] === 'setup'
          ? this.setupCompleted(tx, object, read.saved, now)
          : this.checkoutCompleted(tx, object, now);
      // A delayed payment method (bank debit, transfer) completes the session unpaid and
      // settles days later on these events, whose session is paid or still unpaid (ADR 0083).
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.async_payment_failed':
        return this.checkoutCompleted(tx, object, now);
      case 'checkout.session.expired':
        return this.checkoutExpired(tx, object, now);
      case 'payment_intent.succeeded':
        return this.paymentSucceeded(tx, object, now);
      case 'payment_intent.payment_failed':
        return this.paymentFailed(tx, object, now);
      case 'setup_intent.succeeded':
        return this.setupIntentSucceeded(tx, object, now);
      // Each refund is applied by its id and status (ADR 0087): charge.refunded when one is
      // made, the Refund events when one fails or is canceled later. A dispute the bank decided
      // is a refund it made: lost takes back, won after a loss gives back (ADR 0156).
      case 'charge.refunded':
      case 'refund.created':
      case 'refund.updated':
      case 'refund.failed':
      case 'charge.refund.updated':
      case 'charge.dispute.created':
      case 'charge.dispute.updated':
      case 'charge.dispute.closed':
      case 'charge.dispute.funds_withdrawn':
      case 'charge.dispute.funds_reinstated':
        return this.refundsReported(tx, read.refunds, now);
      case 'payment_method.detached':
        return this.paymentMethodDetached(tx, object, now);
      default:
        return IGNORED;
    }
  }

  /** Paid: credit. Unpaid: a failed entry with 0 credit (DESIGN 4); a later success still credits it. */
  private async checkoutCompleted(
    tx: OutboxTransaction,
    session: StripeObject,
    now: Date,
  ): Promise<Outcome> {
    const ids: StripeIds = {
      checkoutSessionId: stripeIdOf(session.id),
      paymentIntentId: stripeIdOf(session['payment_intent']),
    };
    const entry = await this.lockPayment(tx, session, ids);
    if (!entry) return IGNORED;
    switch (session['payment_status']) {
      case 'paid':
        return handled(entry, await this.settlement.credit(tx, entry, ids, now));
      case 'unpaid':
        return handled(entry, await this.settlement.fail(tx, entry, 'unpaid', now, ids));
      default:
        return IGNORED;
    }
  }

  private async checkoutExpired(
    tx: OutboxTransaction,
    session: StripeObject,
    now: Date,
  ): Promise<Outcome> {
    const entry = await this.lockPayment(tx, session, {
      checkoutSessionId: stripeIdOf(session.id),
    });
    if (!entry) return IGNORED;
    await this.entries.markExpired(tx.manager, entry, now);
    return handled(entry, []);
  }

  private async paymentSucceeded(
    tx: OutboxTransaction,
    paymentIntent: StripeObject,
    now: Date,
  ): Promise<Outcome> {
    const ids = { paymentIntentId: stripeIdOf(paymentIntent.id) };
    const entry = await this.lockPayment(tx, paymentIntent, ids);
    if (!entry) return IGNORED;
    return handled(entry, await this.settlement.credit(tx, entry, ids, now));
  }

  private async paymentFailed(
    tx: OutboxTransaction,
    paymentIntent: StripeObject,
    now: Date,
  ): Promise<Outcome> {
    const ids = { paymentIntentId: stripeIdOf(paymentIntent.id) };
    const entry = await this.lockPayment(tx, paymentIntent, ids);
    if (!entry) return IGNORED;
    const lastError = paymentIntent['last_payment_error'] as StripeObject | null | undefined;
    const code = typeof lastError?.['code'] === 'string' ? lastError['code'] : 'payment_failed';
    return handled(entry, await this.settlement.fail(tx, entry, code, now, ids));
  }

  private async setupCompleted(
    tx: OutboxTransaction,
    session: StripeObject,
    saved: SavedMethod | undefined,
    now: Date,
  ): Promise<Outcome> {
    return this.saveMethod(
      tx,
      metadataOf(session),
      {
        customerId: stripeIdOf(session['customer']) ?? saved?.customerId ?? null,
        paymentMethodId: saved?.paymentMethodId ?? null,
      },
      now,
    );
  }

  private async setupIntentSucceeded(
    tx: OutboxTransaction,
    setupIntent: StripeObject,
    now: Date,
  ): Promise<Outcome> {
    return this.saveMethod(
      tx,
      metadataOf(setupIntent),
      {
        customerId: stripeIdOf(setupIntent['customer']),
        paymentMethodId: stripeIdOf(setupIntent['payment_method']),
      },
      now,
    );
  }

  private async saveMethod(
    tx: OutboxTransaction,
    metadata: Record<string, string>,
    method: SavedMethod,
    now: Date,
  ): Promise<Outcome> {
    const accountId = metadata['account_id'];
    if (!accountId || metadata['purpose'] !== 'auto_topup_setup') return IGNORED;
    if (!method.customerId || !method.paymentMethodId) return { ...IGNORED, accountId };
    await this.autoTopUp.saveMethod(
      tx,
      {
        accountId,
        customerId: method.customerId,
        paymentMethodId: method.paymentMethodId,
        enable: metadata['enable_auto_topup'] !== 'false',
      },
      now,
    );
    return { outcome: 'handled', accountId, announced: [] };
  }

  /** A payment's refunds, as RefundsService read them (and which payment) before the transaction. */
  private async refundsReported(
    tx: OutboxTransaction,
    report: RefundReport | undefined,
    now: Date,
  ): Promise<Outcome> {
    if (!report) return IGNORED;
    const ids = { paymentIntentId: report.paymentIntentId };
    const entry = await this.lockEntry(tx, report.purchase);
    if (!entry) return IGNORED;
    // Only a paid charge is refunded: a success still on its way is credited here first, so the
    // refund has its credit to take back and the late success credits nothing.
    const credited = entry.creditedAt ? [] : await this.settlement.credit(tx, entry, ids, now);
    const purchase = credited.length > 0 ? await this.entries.lock(tx.manager, entry) : entry;
    if (!purchase) return IGNORED;
    return handled(purchase, [
      ...credited,
      ...(await this.settlement.refunds(tx, purchase, report.refunds, report.chargeMinor, now)),
    ]);
  }

  private async paymentMethodDetached(
    tx: OutboxTransaction,
    paymentMethod: StripeObject,
    now: Date,
  ): Promise<Outcome> {
    const paymentMethodId = stripeIdOf(paymentMethod.id);
    if (!paymentMethodId) return IGNORED;
    const accountIds = await this.status.forgetMethod(tx, paymentMethodId, now);
    return accountIds.length > 0
      ? { outcome: 'handled', accountId: accountIds[0] ?? null, announced: [] }
      : IGNORED;
  }

  /**
   * The payment an event is about, locked: by the entry our metadata names, else by its Stripe
   * ids. Undefined for a payment top-up did not create.
   */
  private async lockPayment(
    tx: OutboxTransaction,
    object: StripeObject,
    ids: StripeIds,
  ): Promise<Entry | undefined> {
    const named = entryNamedIn(metadataOf(object));
    const key: EntryKey | undefined =
      named && isUuid(named.entryId) ? named : await this.entries.keyOfStripeId(tx.manager, ids);
    if (!key) {
      this.logger.log(`a Stripe event about a payment top-up did not make: ignored`);
      return undefined;
    }
    return this.lockEntry(tx, key);
  }

  /** The account's settings locked first, as every settling transaction does, then the payment. */
  private async lockEntry(tx: OutboxTransaction, key: EntryKey): Promise<Entry | undefined> {
    await this.settings.lockRows(tx.manager, [key.accountId]);
    return this.entries.lock(tx.manager, key);
  }
}

function handled(entry: Entry, announced: PaymentEvent[]): Outcome {
  return { outcome: 'handled', accountId: entry.accountId, announced };
}

/**
 * Why a verified event cannot be applied, if it cannot: a refusal with a code, never a 500 that
 * Stripe would deliver again for days. PostgreSQL text cannot hold a NUL byte, and Stripe sends
 * none.
 */
function malformedEventReason(event: Stripe.Event): string | undefined {
  const { id, type, data } = event as unknown as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > 255)
    return 'its id is not a string of 1 to 255 characters';
  if (typeof type !== 'string' || type.length === 0) return 'it has no type';
  const object = (data as Record<string, unknown> | null | undefined)?.['object'];
  if (typeof object !== 'object' || object === null || Array.isArray(object))
    return 'it has no data.object';
  if (holdsNul(event)) return 'it holds a NUL byte';
  return undefined;
}

/** Walks the event without recursion: a signed body may nest deeper than the call stack. */
function holdsNul(event: unknown): boolean {
  const pending: unknown[] = [event];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key.includes('\u0000')) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}
