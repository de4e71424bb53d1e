import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  autoTopUpStatus,
  creditForPayment,
  formatAmount,
  monthStartOf,
} from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import type { AccountAutoTopUp } from '../auto-topup-status/auto-topup-settings.store';
import {
  AutoTopUpStatusService,
  presentStatus,
} from '../auto-topup-status/auto-topup-status.service';
import type { TopUpConfig } from '../config/topup.config';
import { creditRatesOf } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { maskStripeRef } from '../stripe/stripe-refs';
import { validPaidAmount } from '../entries/paid-amount';
import { AutoTopUpDecisionService } from './auto-topup-decision.service';
import { AutoTopUpException, AutoTopUpExceptionCode } from './auto-topup.exception';
import { ChargerService } from './charger.service';

/** topup.get-auto-topup and topup.update-auto-topup reply with this (DESIGN 2). */
export interface AutoTopUpSettingsReply {
  enabled: boolean;
  amount_paid: string;
  paid_currency: string;
  credit_amount: string;
  trigger_below_percent: number;
  monthly_limit: string;
  customer: string | null;
  payment_method: string | null;
  state: ReturnType<typeof presentStatus>;
}

export interface AutoTopUpChange {
  readonly accountId: string;
  readonly enabled?: boolean | undefined;
  readonly amountPaid?: string | undefined;
  readonly triggerBelowPercent?: string | number | undefined;
  readonly monthlyLimit?: string | undefined;
}

/** What a completed setup saved (DESIGN 4): charges use it from now on. */
export interface CompletedSetup {
  readonly accountId: string;
  readonly customerId: string;
  readonly paymentMethodId: string;
  /** The setup's enable_auto_topup: turns auto top-up on (never off). */
  readonly enable: boolean;
}

const PERCENT = /^\d{1,3}(\.\d{1,6})?$/;

/**
 * An account's auto top-up settings, as tenants read and change them. A change that may allow a
 * charge decides the account's last balance again at once: out of funds, it gets no newer one
 * (ADR 0060).
 */
@Injectable()
export class AutoTopUpService {
  constructor(
    @Inject(TOPUP_CONFIG) private readonly config: TopUpConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messaging: MessagingService,
    private readonly store: AutoTopUpSettingsStore,
    private readonly status: AutoTopUpStatusService,
    private readonly decisions: AutoTopUpDecisionService,
    private readonly charger: ChargerService,
  ) {}

  async get(accountId: string): Promise<AutoTopUpSettingsReply> {
    const now = new Date();
    const account = await this.store.read(this.dataSource.manager, accountId, monthStartOf(now));
    return account ? this.reply(account, now) : this.defaultsReply();
  }

  /**
   * Changes the settings; enabling needs a saved customer and payment method
   * (AUTO_TOPUP_NO_PAYMENT_METHOD otherwise, and nothing is changed). Disabling keeps the
   * saved method; enabling again also ends a pause after a failed charge.
   */
  async update(change: AutoTopUpChange): Promise<AutoTopUpSettingsReply> {
    const amountPaid =
      change.amountPaid === undefined
        ? undefined
        : validPaidAmount(change.amountPaid, this.config, 'amount_paid');
    const triggerBelowPercent = validPercent(change.triggerBelowPercent);
    const monthlyLimit = validLimit(change.monthlyLimit);
    const now = new Date();
    const { reply, charged } = await this.messaging.transaction(async (tx) => {
      await this.store.ensure(tx.manager, change.accountId, this.defaults());
      const [current] = await this.store.lock(tx.manager, [change.accountId], monthStartOf(now));
      if (!current) throw new Error(`the settings of ${change.accountId} vanished`);
      if (change.enabled && (!current.settings.customerId || !current.settings.paymentMethodId)) {
        throw new AutoTopUpException(
          AutoTopUpExceptionCode.AUTO_TOPUP_NO_PAYMENT_METHOD,
          'auto top-up needs a saved payment method: complete a setup session (topup.create-setup) first',
        );
      }
      const pack = amountPaid ?? current.settings.amountPaid;
      const limit = monthlyLimit ?? current.settings.monthlyLimit;
      if (limit.lessThan(pack)) {
        throw new AutoTopUpException(
          AutoTopUpExceptionCode.VALIDATION_FAILED,
          `monthly_limit (${limit.toFixed()}) must be at least amount_paid (${pack.toFixed()}), or no automatic top-up could ever be made`,
        );
      }
      await this.store.update(tx.manager, change.accountId, {
        enabled: change.enabled,
        amountPaid,
        triggerBelowPercent,
        monthlyLimit,
      });
      const decidedCharge = await this.decideAfterChange(tx, change.accountId, now);
      const [updated] = await this.store.lock(tx.manager, [change.accountId], monthStartOf(now));
      return { reply: this.reply(updated ?? current, now), charged: decidedCharge };
    });
    if (charged) this.charger.kick();
    return reply;
  }

  /**
   * Saves the customer and payment method a setup completed (creating the account's settings
   * with the defaults on first use), in the webhook's transaction; turns auto top-up on when
   * the setup asked for it. A new payment method ends a pause after a failed charge.
   */
  async saveMethod(tx: OutboxTransaction, saved: CompletedSetup, now: Date): Promise<void> {
    await this.store.ensure(tx.manager, saved.accountId, this.defaults());
    await this.store.lockRows(tx.manager, [saved.accountId]);
    await this.store.saveMethod(
      tx.manager,
      saved.accountId,
      saved.customerId,
      saved.paymentMethodId,
      saved.enable,
    );
    if (await this.decideAfterChange(tx, saved.accountId, now)) this.charger.kick();
  }

  /**
   * Decides the last balance under the settings just changed, and announces the new state;
   * true when a charge was recorded. Off, nothing can be charged: the state is only announced.
   */
  private async decideAfterChange(
    tx: OutboxTransaction,
    accountId: string,
    now: Date,
  ): Promise<boolean> {
    const [account] = await this.store.lock(tx.manager, [accountId], monthStartOf(now));
    if (!account?.settings.enabled) {
      await this.status.announce(tx, accountId, now);
      return false;
    }
    return this.decisions.decideLastBalanceAgain(tx, account, now);
  }

  private reply(account: AccountAutoTopUp, now: Date): AutoTopUpSettingsReply {
    const { settings } = account;
    return {
      enabled: settings.enabled,
      amount_paid: formatAmount(settings.amountPaid),
      paid_currency: settings.paidCurrency,
      credit_amount: formatAmount(this.status.settingsOf(account).creditAmount),
      trigger_below_percent: settings.triggerBelowPercent.toNumber(),
      monthly_limit: formatAmount(settings.monthlyLimit),
      customer: maskStripeRef(settings.customerId),
      payment_method: maskStripeRef(settings.paymentMethodId),
      state: presentStatus(this.status.statusOf(account, now)),
    };
  }

  private defaultsReply(): AutoTopUpSettingsReply {
    const defaults = this.defaults();
    const creditAmount = creditForPayment(
      defaults.amountPaid,
      defaults.paidCurrency,
      creditRatesOf(this.config),
    );
    const status = autoTopUpStatus(
      {
        enabled: false,
        packAmount: defaults.amountPaid,
        packCurrency: defaults.paidCurrency,
        creditAmount,
        triggerBelowPercent: defaults.triggerBelowPercent,
        monthlyAutoLimit: defaults.monthlyLimit,
      },
      {
        hasCustomer: false,
        hasPaymentMethod: false,
        autoChargedThisMonth: new Decimal(0),
        pendingTopUp: false,
        paused: false,
      },
      new Date(),
    );
    return {
      enabled: false,
      amount_paid: formatAmount(defaults.amountPaid),
      paid_currency: defaults.paidCurrency,
      credit_amount: formatAmount(creditAmount),
      trigger_below_percent: defaults.triggerBelowPercent.toNumber(),
      monthly_limit: formatAmount(defaults.monthlyLimit),
      customer: null,
      payment_method: null,
      state: presentStatus(status),
    };
  }

  private defaults() {
    return { ...this.config.autoDefaults, paidCurrency: this.config.paidCurrency };
  }
}

function validPercent(value: string | number | undefined): Decimal | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (!PERCENT.test(text) || new Decimal(text).greaterThan(100)) {
    throw new AutoTopUpException(
      AutoTopUpExceptionCode.VALIDATION_FAILED,
      'trigger_below_percent must be a number from 0 to 100',
    );
  }
  return new Decimal(text);
}

function validLimit(value: string | undefined): Decimal | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,12}(\.\d{1,12})?$/.test(value)) {
    throw new AutoTopUpException(
      AutoTopUpExceptionCode.VALIDATION_FAILED,
      'monthly_limit must be a non-negative decimal string',
    );
  }
  return new Decimal(value);
}
