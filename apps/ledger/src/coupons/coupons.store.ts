import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { CouponDefinition, RedemptionFacts } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

/** A coupon as stored: its definition, how often it was redeemed, when it was created. */
export interface StoredCoupon extends CouponDefinition {
  readonly redemptions: number;
  readonly createdAt: Date;
}

/** What a claimed redemption gives the account. */
export type ClaimedGift =
  | { readonly kind: 'credit'; readonly amount: Decimal }
  | { readonly kind: 'percent'; readonly percent: Decimal; readonly endsAt: Date };

interface CouponRow {
  code: string;
  kind: 'credit' | 'percent';
  amount: string | null;
  percent: string | null;
  duration_days: number | null;
  expires_at: Date | null;
  max_redemptions: number | null;
  redemptions: number;
  created_at: Date;
}

const COUPON_COLUMNS = `code, kind, amount::text AS amount, percent::text AS percent, duration_days, expires_at,
  max_redemptions, redemptions, created_at`;

/** Coupons and their redemptions in SQL. */
@Injectable()
export class CouponsStore {
  /** Creates the coupon; undefined when its code exists already. */
  async create(
    manager: EntityManager,
    coupon: CouponDefinition,
    now: Date,
  ): Promise<StoredCoupon | undefined> {
    const { gift } = coupon;
    const [row]: CouponRow[] = await manager.query(
      `INSERT INTO coupons (code, kind, amount, percent, duration_days, expires_at, max_redemptions, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (code) DO NOTHING
       RETURNING ${COUPON_COLUMNS}`,
      [
        coupon.code,
        gift.kind,
        gift.kind === 'credit' ? gift.amount.toFixed() : null,
        gift.kind === 'percent' ? gift.percent.toFixed() : null,
        gift.kind === 'percent' ? gift.durationDays : null,
        coupon.expiresAt,
        coupon.maxRedemptions,
        now,
      ],
    );
    return row ? couponFromRow(row) : undefined;
  }

  async find(manager: EntityManager, code: string): Promise<StoredCoupon | undefined> {
    const [row]: CouponRow[] = await manager.query(
      `SELECT ${COUPON_COLUMNS} FROM coupons WHERE code = $1`,
      [code],
    );
    return row ? couponFromRow(row) : undefined;
  }

  /**
   * Claims one redemption for the account in one statement: the coupon's count goes up only
   * while it is below its maximum and the coupon has not expired (the row lock makes concurrent
   * claims take turns, each seeing the count the one before left), and the redemption row is
   * inserted with it. `claimed` without `inserted`: the account redeemed it meanwhile (its
   * redemption row exists), and the caller must roll the claim back. Undefined: not claimed.
   */
  async claim(
    manager: EntityManager,
    accountId: string,
    code: string,
    now: Date,
    transactionId: string,
  ): Promise<{ gift: ClaimedGift; inserted: boolean } | undefined> {
    const [row]: Array<{
      kind: 'credit' | 'percent';
      amount: string | null;
      percent: string | null;
      ends_at: Date | null;
      inserted: boolean;
    }> = await manager.query(
      `WITH claimed AS (
         UPDATE coupons SET redemptions = redemptions + 1
         WHERE code = $2 AND (expires_at IS NULL OR expires_at > $3)
           AND (max_redemptions IS NULL OR redemptions < max_redemptions)
           AND NOT EXISTS (SELECT 1 FROM coupon_redemptions WHERE account_id = $1 AND code = $2)
         RETURNING code, kind, amount, percent,
           CASE WHEN kind = 'percent' THEN $3::timestamptz + duration_days * interval '86400 seconds' END AS ends_at),
       inserted AS (
         INSERT INTO coupon_redemptions (account_id, code, redeemed_at, percent, discount_ends_at, transaction_id)
         SELECT $1, code, $3, percent, ends_at, CASE WHEN kind = 'credit' THEN $4::uuid END FROM claimed
         ON CONFLICT (account_id, code) DO NOTHING
         RETURNING code)
       SELECT c.kind, c.amount::text AS amount, c.percent::text AS percent, c.ends_at,
         EXISTS (SELECT 1 FROM inserted) AS inserted
       FROM claimed AS c`,
      [accountId, code, now, transactionId],
    );
    if (!row) return undefined;
    const gift: ClaimedGift =
      row.kind === 'credit'
        ? { kind: 'credit', amount: new Decimal(present(row.amount, 'amount')) }
        : {
            kind: 'percent',
            percent: new Decimal(present(row.percent, 'percent')),
            endsAt: new Date(present(row.ends_at, 'ends_at')),
          };
    return { gift, inserted: row.inserted };
  }

  /** The facts a refused redemption is explained by, read after the claim failed. */
  async redemptionFacts(
    manager: EntityManager,
    accountId: string,
    code: string,
    now: Date,
  ): Promise<RedemptionFacts> {
    const [row]: Array<{ coupon: CouponRow | null; redeemed: boolean }> = await manager.query(
      `SELECT (SELECT row_to_json(c) FROM (SELECT ${COUPON_COLUMNS} FROM coupons WHERE code = $2) AS c) AS coupon,
         EXISTS (SELECT 1 FROM coupon_redemptions WHERE account_id = $1 AND code = $2) AS redeemed`,
      [accountId, code],
    );
    return {
      ...(row?.coupon ? { coupon: couponFromRow(row.coupon) } : {}),
      redeemedByAccount: row?.redeemed ?? false,
      now,
    };
  }
}

function couponFromRow(row: CouponRow): StoredCoupon {
  return {
    code: row.code,
    gift:
      row.kind === 'credit'
        ? { kind: 'credit', amount: new Decimal(present(row.amount, 'amount')) }
        : {
            kind: 'percent',
            percent: new Decimal(present(row.percent, 'percent')),
            durationDays: present(row.duration_days, 'duration_days'),
          },
    expiresAt: row.expires_at ? new Date(row.expires_at) : null,
    maxRedemptions: row.max_redemptions,
    redemptions: row.redemptions,
    createdAt: new Date(row.created_at),
  };
}

/** A column the table's checks make present for the coupon's kind. */
function present<T>(value: T | null, column: string): T {
  if (value === null) throw new Error(`coupon row without ${column}`);
  return value;
}
