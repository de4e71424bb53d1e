import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  InvalidCouponError,
  assertCoupon,
  formatAmount,
  isCouponCode,
  normalizeCouponCode,
  redemptionRefusal,
} from '@tally/budget-domain';
import type { CouponDefinition, CouponRefusal } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { Books } from '../books/books.service';
import { Clock } from '../clock';
import { CouponsException, CouponsExceptionCode } from './coupons.exception';
import { CouponsStore } from './coupons.store';
import type { ClaimedGift, StoredCoupon } from './coupons.store';

/** The `ledger.create-coupon` request, already shape-checked. */
export interface CreateCouponCommand {
  code: string;
  kind: 'credit' | 'percent';
  amount?: string;
  percent?: string | number;
  duration_days?: number;
  expires_at?: string | null;
  max_redemptions?: number | null;
}

/** A claim that found nothing wrong on a second look (it lost to a redemption rolled back since): tried again. */
const CLAIM_ATTEMPTS = 3;

/**
 * Coupons (ADR 0043): a code that gives a fixed promotional credit, or a percent off usage for
 * some days from the redemption. Each account redeems a coupon once; its redemptions are
 * counted in the claim itself, so concurrent redemptions never pass its maximum. A credit is
 * posted from the system promotions account in the redemption's transaction.
 */
@Injectable()
export class CouponsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly store: CouponsStore,
    private readonly clock: Clock,
  ) {}

  /** Creates a coupon; the same request again answers the coupon, other terms under its code are refused. */
  async create(command: CreateCouponCommand) {
    const coupon = couponOf(command);
    const manager = this.dataSource.manager;
    const created = await this.store.create(manager, coupon, this.clock.now());
    if (created) return { ...couponReply(created), created: true };
    const existing = await this.store.find(manager, coupon.code);
    if (!existing || !sameTerms(existing, coupon)) {
      throw new CouponsException(
        CouponsExceptionCode.COUPON_CONFLICT,
        `a coupon ${coupon.code} exists with other terms`,
      );
    }
    return { ...couponReply(existing), created: false };
  }

  async redeem(accountId: string, rawCode: string) {
    const code = normalizeCouponCode(rawCode);
    // A code that no coupon can have is simply unknown.
    if (!isCouponCode(code)) throw refused('COUPON_NOT_FOUND', rawCode);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const now = this.clock.now();
      const redeemed = await this.claimAndPost(accountId, code, now);
      if (redeemed) return redeemed;
      const facts = await this.store.redemptionFacts(this.dataSource.manager, accountId, code, now);
      const refusal = redemptionRefusal(facts);
      if (refusal) throw refused(refusal, code);
    }
    throw new Error(`the redemption of ${code} by ${accountId} was refused without a reason`);
  }

  /** One attempt in one transaction: the claim, and a credit coupon's posting. */
  private claimAndPost(accountId: string, code: string, now: Date) {
    return this.messaging.transaction((tx) =>
      this.books.transact(tx, { accountIds: [accountId], now }, async (books) => {
        const transactionId = randomUUID();
        const claim = await this.store.claim(tx.manager, accountId, code, now, transactionId);
        if (!claim) return undefined;
        // Thrown, not returned: the transaction must roll the claim's count back.
        if (!claim.inserted) throw refused('COUPON_ALREADY_REDEEMED', code);
        const { gift } = claim;
        if (gift.kind === 'credit') {
          books.record({
            accountId,
            transactionId,
            kind: 'coupon',
            sourceId: code,
            occurredAt: now.toISOString(),
            details: { code, amount: gift.amount.toFixed() },
            postings: [
              { code: 'credit', amount: gift.amount },
              { code: 'promotions', amount: gift.amount.negated() },
            ],
          });
        }
        return redemptionReply(accountId, code, now, gift, transactionId);
      }),
    );
  }
}

function couponOf(command: CreateCouponCommand): CouponDefinition {
  try {
    const decimal = (value: string | number | undefined, field: string) => {
      if (value === undefined)
        throw new CouponsException(CouponsExceptionCode.VALIDATION_FAILED, `${field} is required`);
      return new Decimal(value);
    };
    return assertCoupon({
      code: command.code,
      gift:
        command.kind === 'credit'
          ? { kind: 'credit', amount: decimal(command.amount, 'amount') }
          : {
              kind: 'percent',
              percent: decimal(command.percent, 'percent'),
              durationDays: command.duration_days ?? 0,
            },
      expiresAt: command.expires_at ? new Date(command.expires_at) : null,
      maxRedemptions: command.max_redemptions ?? null,
    });
  } catch (error) {
    if (error instanceof InvalidCouponError)
      throw new CouponsException(CouponsExceptionCode.VALIDATION_FAILED, error.message);
    throw error;
  }
}

function sameTerms(stored: StoredCoupon, requested: CouponDefinition): boolean {
  const [a, b] = [stored.gift, requested.gift];
  const sameGift =
    a.kind === 'credit'
      ? b.kind === 'credit' && a.amount.equals(b.amount)
      : b.kind === 'percent' && a.percent.equals(b.percent) && a.durationDays === b.durationDays;
  return (
    sameGift &&
    stored.expiresAt?.getTime() === requested.expiresAt?.getTime() &&
    stored.maxRedemptions === requested.maxRedemptions
  );
}

function refused(refusal: CouponRefusal, coupon: string): CouponsException {
  const messages: Record<CouponRefusal, string> = {
    COUPON_NOT_FOUND: `no coupon ${coupon}`,
    COUPON_ALREADY_REDEEMED: `this account has redeemed ${coupon} already`,
    COUPON_EXPIRED: `coupon ${coupon} has expired`,
    COUPON_EXHAUSTED: `coupon ${coupon} has been redeemed as often as it may be`,
  };
  return new CouponsException(CouponsExceptionCode[refusal], messages[refusal]);
}

export function couponReply(coupon: StoredCoupon) {
  const { gift } = coupon;
  return {
    code: coupon.code,
    kind: gift.kind,
    amount: gift.kind === 'credit' ? formatAmount(gift.amount) : null,
    percent: gift.kind === 'percent' ? gift.percent.toFixed() : null,
    duration_days: gift.kind === 'percent' ? gift.durationDays : null,
    expires_at: coupon.expiresAt?.toISOString() ?? null,
    max_redemptions: coupon.maxRedemptions,
    redemptions: coupon.redemptions,
    created_at: coupon.createdAt.toISOString(),
  };
}

function redemptionReply(
  accountId: string,
  code: string,
  redeemedAt: Date,
  gift: ClaimedGift,
  transactionId: string,
) {
  return {
    account_id: accountId,
    code,
    kind: gift.kind,
    amount: gift.kind === 'credit' ? formatAmount(gift.amount) : null,
    percent: gift.kind === 'percent' ? gift.percent.toFixed() : null,
    discount_ends_at: gift.kind === 'percent' ? gift.endsAt.toISOString() : null,
    transaction_id: gift.kind === 'credit' ? transactionId : null,
    redeemed_at: redeemedAt.toISOString(),
  };
}
