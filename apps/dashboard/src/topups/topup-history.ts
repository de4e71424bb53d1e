import { ApiError } from '../api/api.client';
import type { ApiClient } from '../api/api.client';
import type { Page, Payment, TopupEntry } from '../api/api.types';

/** A payment in the shape of a top-up history entry (DESIGN 2, topup.history). */
export function topupFromPayment(payment: Payment): TopupEntry {
  const auto = payment.trigger === 'auto';
  const [kind, status] =
    payment.kind === 'credit_failed'
      ? ['failed', 'failed']
      : payment.kind === 'credit_refunded'
        ? ['refund', 'refunded']
        : payment.restores_refund
          ? ['refund', 'restored']
          : [auto ? 'auto_purchase' : 'purchase', 'succeeded'];
  return {
    id: payment.payment_id,
    kind,
    trigger: payment.trigger,
    credit_amount: payment.credit_amount,
    paid_amount: payment.paid_amount,
    paid_currency: payment.paid_currency,
    stripe_ref: payment.stripe_ref,
    status,
    at: payment.at,
  };
}

export interface TopupHistory {
  page: Page<TopupEntry>;
  /** Set when topup did not answer and the payments admin recorded are shown instead. */
  fallbackReason?: string;
}

/**
 * Topup's history (every attempt, with its status); when topup does not answer (502, 504),
 * the payments admin projected from payments.events, which hold every credit that moved.
 */
export async function loadTopupHistory(api: ApiClient, accountId: string): Promise<TopupHistory> {
  try {
    return { page: await api.topups(accountId) };
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 502 && error.status !== 504)) throw error;
    return { page: await paymentsPage(api, accountId), fallbackReason: error.errorCode };
  }
}

/** The page after `cursor`, from the list the first page came from (a cursor names its list). */
export function moreTopupHistory(
  api: ApiClient,
  accountId: string,
  cursor: string,
  fromPayments: boolean,
): Promise<Page<TopupEntry>> {
  return fromPayments ? paymentsPage(api, accountId, cursor) : api.topups(accountId, cursor);
}

async function paymentsPage(
  api: ApiClient,
  accountId: string,
  cursor?: string,
): Promise<Page<TopupEntry>> {
  const payments = await api.payments(accountId, cursor);
  return { items: payments.items.map(topupFromPayment), next_cursor: payments.next_cursor };
}
