import { Injectable } from '@nestjs/common';
import { maskStripeRef } from '@tally/budget-domain';
import type { AutoTopUpPauseReason, PaymentEvent, TopUpStatusChanged } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

export interface PaymentRow {
  payment_id: string;
  kind: string;
  trigger: string;
  credit_amount: string;
  paid_amount: string;
  paid_currency: string;
  stripe_ref_masked: string | null;
  restores_refund_masked: string | null;
  at: Date;
}

export interface PaymentPosition {
  readonly at: string;
  readonly payment_id: string;
}

/** Payments (payments.events) and each account's latest auto top-up state (topup.status-changed). */
@Injectable()
export class TopUpsStore {
  async insertPayments(manager: EntityManager, payments: readonly PaymentEvent[]): Promise<void> {
    if (payments.length === 0) return;
    const column = <T>(pick: (payment: PaymentEvent) => T) => payments.map(pick);
    await manager.query(
      `INSERT INTO payments (account_id, payment_id, kind, trigger, credit_amount, paid_amount,
         paid_currency, stripe_ref_masked, at, restores_refund_masked)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[],
         $6::numeric[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])
       ON CONFLICT DO NOTHING`,
      [
        column((p) => p.account_id),
        column((p) => p.id),
        column((p) => p.kind),
        column((p) => p.trigger),
        column((p) => p.credit_amount),
        column((p) => p.paid_amount),
        column((p) => p.paid_currency),
        column((p) => maskStripeRef(p.stripe_ref)),
        column((p) => p.at),
        column((p) => maskStripeRef(p.restores_refund)),
      ],
    );
  }

  async listPayments(
    manager: EntityManager,
    accountId: string,
    page: { after?: PaymentPosition | undefined; limit: number },
  ): Promise<PaymentRow[]> {
    return manager.query(
      `SELECT payment_id, kind, trigger, credit_amount, paid_amount, paid_currency,
              stripe_ref_masked, restores_refund_masked, at
       FROM payments
       WHERE account_id = $1
         AND ($2::timestamptz IS NULL OR (at, payment_id) < ($2::timestamptz, $3::text))
       ORDER BY at DESC, payment_id DESC
       LIMIT $4`,
      [accountId, page.after?.at ?? null, page.after?.payment_id ?? null, page.limit + 1],
    );
  }

  /** Keeps each account's state with the highest sequence. */
  async saveStatuses(
    manager: EntityManager,
    statuses: readonly TopUpStatusChanged[],
  ): Promise<void> {
    const latest = new Map<string, TopUpStatusChanged>();
    for (const status of statuses) {
      const held = latest.get(status.account_id);
      if (!held || held.sequence < status.sequence) latest.set(status.account_id, status);
    }
    const rows = [...latest.values()].sort((a, b) => (a.account_id < b.account_id ? -1 : 1));
    if (rows.length === 0) return;
    const column = <T>(pick: (status: TopUpStatusChanged) => T) => rows.map(pick);
    await manager.query(
      `INSERT INTO topup_status (account_id, sequence, enabled, state, pending_since,
         cooldown_until, month_auto_paid, monthly_limit, paid_currency, pause_reason, at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::boolean[], $4::text[],
         $5::timestamptz[], $6::timestamptz[], $7::numeric[], $8::numeric[], $9::text[],
         $10::text[], $11::timestamptz[])
       ON CONFLICT (account_id) DO UPDATE SET
         sequence = EXCLUDED.sequence, enabled = EXCLUDED.enabled, state = EXCLUDED.state,
         pending_since = EXCLUDED.pending_since, cooldown_until = EXCLUDED.cooldown_until,
         month_auto_paid = EXCLUDED.month_auto_paid, monthly_limit = EXCLUDED.monthly_limit,
         paid_currency = EXCLUDED.paid_currency, pause_reason = EXCLUDED.pause_reason,
         at = EXCLUDED.at
       WHERE topup_status.sequence < EXCLUDED.sequence`,
      [
        column((s) => s.account_id),
        column((s) => s.sequence),
        column((s) => s.auto_topup.enabled),
        column((s) => s.auto_topup.state),
        column((s) => s.auto_topup.pending_since ?? null),
        column((s) => s.auto_topup.cooldown_until ?? null),
        column((s) => s.auto_topup.month_auto_paid),
        column((s) => s.auto_topup.monthly_limit),
        column((s) => s.auto_topup.paid_currency),
        column(pauseReasonOf),
        column((s) => s.at),
      ],
    );
  }
}

/** A paused record written before ADR 0157 names no reason: a failed charge was the only one. */
function pauseReasonOf(status: TopUpStatusChanged): AutoTopUpPauseReason | null {
  if (status.auto_topup.state !== 'paused') return null;
  return status.auto_topup.pause_reason ?? 'charge_failed';
}
