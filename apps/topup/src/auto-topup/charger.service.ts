import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PaymentEvent } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import type { TopUpConfig } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { EntriesService } from '../entries/entries.service';
import { EntriesStore } from '../entries/entries.store';
import type { DueCharge } from '../entries/entries.store';
import { SettlementService } from '../settlement/settlement.service';
import { StripeService } from '../stripe/stripe.service';
import type { ChargeOutcome } from '../stripe/stripe.service';

/** Delays before the next try of a charge that got no usable answer; then it fails. */
const RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000, 1_800_000];
/** How often due charges are looked for when nothing was kicked (crash recovery, retries). */
const SWEEP_MS = 5_000;
/** After a kick, charges are looked for this often for a while: the decision's commit is near. */
const HOT_POLL_MS = 50;
const HOT_WINDOW_MS = 3_000;

/**
 * Sends decided automatic charges to Stripe, outside any transaction (ADR 0026): a short
 * transaction claims a due charge for a lease, the PaymentIntent is created under the
 * decision's idempotency key, and another short transaction records the outcome. A crash
 * between them leaves the charge due again when its lease runs out; the retry sends the same
 * key and gets the same PaymentIntent, so a decision charges at most once.
 */
@Injectable()
export class ChargerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AutoTopUpCharger');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private hotUntil = 0;
  private stopped = false;

  constructor(
    @Inject(TOPUP_CONFIG) private readonly config: TopUpConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messaging: MessagingService,
    private readonly entries: EntriesStore,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly settlement: SettlementService,
    private readonly facts: EntriesService,
    private readonly stripe: StripeService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** A charge was just decided: look for it often until its transaction has surely committed. */
  kick(): void {
    this.hotUntil = Date.now() + HOT_WINDOW_MS;
    if (!this.running) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let sent = 0;
    try {
      sent = await this.chargeDue();
    } catch (error) {
      this.logger.warn(`charging due top-ups failed, will retry: ${String(error)}`);
    }
    this.schedule(sent > 0 ? 0 : Date.now() < this.hotUntil ? HOT_POLL_MS : SWEEP_MS);
  }

  /** Sends the charges that are due; returns how many were sent. */
  async chargeDue(): Promise<number> {
    if (this.stripe.dryRun || this.stripe.liveBlocked) return 0;
    const now = new Date();
    const due = await this.dataSource.transaction((manager) =>
      this.entries.claimDueCharges(
        manager,
        now,
        new Date(now.getTime() + this.config.chargeLeaseMs),
        5,
      ),
    );
    for (const charge of due) await this.charge(charge);
    return due.length;
  }

  /**
   * Asks Stripe for the charge. Without a card now, an attempt before this one (its answer lost)
   * may still have charged the card it had: what it made is asked for, never assumed failed, or
   * a new card would be charged for the same balance again.
   */
  private async send(due: DueCharge): Promise<ChargeOutcome> {
    const { entry, customerId, paymentMethodId } = due;
    if (!customerId || !entry.decisionId)
      return { outcome: 'failed', paymentIntentId: null, code: 'no_payment_method' };
    if (!paymentMethodId) {
      const earlier =
        entry.chargeAttempts > 1
          ? await this.stripe.earlierCharge(customerId, entry.decisionId, entry.createdAt)
          : undefined;
      return earlier ?? { outcome: 'failed', paymentIntentId: null, code: 'no_payment_method' };
    }
    return this.stripe.chargeOffSession({
      payment: {
        accountId: entry.accountId,
        entryId: entry.entryId,
        trigger: 'auto',
        paidAmount: entry.paidAmount,
        paidCurrency: entry.paidCurrency,
        creditAmount: entry.creditAmount,
      },
      decisionId: entry.decisionId,
      decidedAt: entry.createdAt,
      customerId,
      paymentMethodId,
    });
  }

  private async charge(due: DueCharge): Promise<void> {
    const { entry } = due;
    let outcome = await this.send(due);
    // The last attempt without an answer: an earlier one may have charged, so Stripe is asked
    // what it made before the charge is failed (outside the transaction, ADR 0026).
    if (
      outcome.outcome === 'retry' &&
      RETRY_DELAYS_MS[entry.chargeAttempts - 1] === undefined &&
      due.customerId &&
      entry.decisionId
    ) {
      outcome =
        (await this.stripe.earlierCharge(due.customerId, entry.decisionId, entry.createdAt)) ??
        outcome;
    }
    const announced = await this.messaging.transaction(async (tx): Promise<PaymentEvent[]> => {
      const now = new Date();
      // Settings before the entry, as every settling transaction locks them.
      await this.settings.lockRows(tx.manager, [entry.accountId]);
      const current = await this.entries.lock(tx.manager, entry);
      // A webhook may have settled it meanwhile: then it stays as that left it.
      if (!current || current.status !== 'pending') return [];
      switch (outcome.outcome) {
        case 'succeeded':
          return this.settlement.credit(
            tx,
            current,
            { paymentIntentId: outcome.paymentIntentId },
            now,
          );
        case 'processing':
          await this.entries.awaitWebhook(tx.manager, current, outcome.paymentIntentId);
          return [];
        case 'failed':
          return this.settlement.fail(tx, current, outcome.code, now, {
            paymentIntentId: outcome.paymentIntentId,
          });
        case 'retry': {
          const delay = RETRY_DELAYS_MS[current.chargeAttempts - 1];
          if (delay === undefined) {
            return this.settlement.fail(tx, current, `stripe_unavailable:${outcome.code}`, now);
          }
          await this.entries.retryChargeAt(tx.manager, current, new Date(now.getTime() + delay));
          return [];
        }
      }
    });
    this.facts.count(announced);
  }
}
