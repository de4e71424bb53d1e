import { ApiClient } from '../api/api.client';
import { loadTopupHistory, moreTopupHistory, topupFromPayment } from './topup-history';

const payment = {
  payment_id: 'pay_1',
  kind: 'credit_purchased',
  trigger: 'manual',
  credit_amount: '10.000000',
  paid_amount: '30.000000',
  paid_currency: 'CHF',
  stripe_ref: 'cs_…a1b2',
  at: '2026-12-02T10:00:00.000Z',
};

const answering = (routes: Record<string, [number, unknown]>) =>
  new ApiClient('t', '', async (url) => {
    const path = String(url).replace(/\?.*$/, '');
    const [status, body] = routes[path] ?? [404, { error_code: 'NOT_FOUND' }];
    return new Response(JSON.stringify(body), { status });
  });

describe('top-up history', () => {
  it('reads payments as history entries', () => {
    expect(topupFromPayment(payment)).toEqual({
      id: 'pay_1',
      kind: 'purchase',
      trigger: 'manual',
      credit_amount: '10.000000',
      paid_amount: '30.000000',
      paid_currency: 'CHF',
      stripe_ref: 'cs_…a1b2',
      status: 'succeeded',
      at: '2026-12-02T10:00:00.000Z',
    });
    expect(topupFromPayment({ ...payment, trigger: 'auto' })).toMatchObject({
      kind: 'auto_purchase',
      status: 'succeeded',
    });
    expect(topupFromPayment({ ...payment, kind: 'credit_failed' })).toMatchObject({
      kind: 'failed',
      status: 'failed',
    });
    expect(topupFromPayment({ ...payment, kind: 'credit_refunded' })).toMatchObject({
      kind: 'refund',
      status: 'refunded',
    });
    // A refund that failed gives its credit back: no payment was made.
    expect(topupFromPayment({ ...payment, restores_refund: 're_...9xyz' })).toMatchObject({
      kind: 'refund',
      status: 'restored',
      credit_amount: '10.000000',
    });
  });

  it("shows topup's history when topup answers", async () => {
    const entry = { id: 'tu_1', kind: 'purchase', status: 'succeeded' };
    const api = answering({
      '/v1/accounts/a/topups': [200, { items: [entry], next_cursor: null }],
      '/v1/accounts/a/payments': [200, { items: [payment], next_cursor: null }],
    });
    await expect(loadTopupHistory(api, 'a')).resolves.toEqual({
      page: { items: [entry], next_cursor: null },
    });
  });

  it('falls back to the payments admin recorded when topup does not answer', async () => {
    const api = answering({
      '/v1/accounts/a/topups': [504, { error_code: 'UPSTREAM_TIMEOUT', message: 'no answer' }],
      '/v1/accounts/a/payments': [200, { items: [payment], next_cursor: null }],
    });
    await expect(loadTopupHistory(api, 'a')).resolves.toEqual({
      page: { items: [topupFromPayment(payment)], next_cursor: null },
      fallbackReason: 'UPSTREAM_TIMEOUT',
    });
  });

  it('reads the next page from the list the first page came from', async () => {
    const asked: string[] = [];
    const api = new ApiClient('t', '', async (url) => {
      asked.push(String(url));
      const items = String(url).includes('/payments') ? [payment] : [];
      return new Response(JSON.stringify({ items, next_cursor: null }));
    });
    await moreTopupHistory(api, 'a', 'c_topup', false);
    await expect(moreTopupHistory(api, 'a', 'c_pay', true)).resolves.toEqual({
      items: [topupFromPayment(payment)],
      next_cursor: null,
    });
    expect(asked).toEqual([
      '/v1/accounts/a/topups?cursor=c_topup',
      '/v1/accounts/a/payments?cursor=c_pay',
    ]);
  });

  it('does not hide other refusals', async () => {
    const api = answering({
      '/v1/accounts/a/topups': [404, { error_code: 'ACCOUNT_NOT_FOUND', message: 'no' }],
    });
    await expect(loadTopupHistory(api, 'a')).rejects.toMatchObject({
      errorCode: 'ACCOUNT_NOT_FOUND',
    });
  });
});
