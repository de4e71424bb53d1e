import { eventually } from '@tally/testing';
import { topUpWithTheLedger } from './topup.harness';

/**
 * Stripe refunds are asynchronous: a refund Tally took the credit back for may fail (a closed
 * card) or be canceled, and Stripe then takes it out of the charge's amount_refunded. The
 * credit comes back once, whatever the events' order and repeats, and the ledger (a process of
 * its own here) shows exactly what the customer kept.
 */
describe('a refund that fails or is canceled gives the credit back once', () => {
  const { stripe, topup, ledgerCommands, ledgerCredit, checkoutPaid } = topUpWithTheLedger([
    'ledger.budget-status',
    'ledger.reconcile',
  ]);

  const history = (account: string) =>
    topup.historyFieldsOf(account, 'kind', 'status', 'credit_amount', 'paid_amount');
  const payments = (account: string) =>
    topup.paymentFieldsOf(account, 'kind', 'credit_amount', 'paid_amount');

  it('15 CHF of 45 refunded takes 5 back; the refund fails: 5 comes back once, however Stripe says so', async () => {
    const account = 'acct_refund_fails';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const refund = stripe.createRefund(paymentIntentId, { amountMinor: 1500 });
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));

    const failed = stripe.failRefund(refund.id);
    const refundFailed = stripe.event('refund.failed', failed);
    expect(await topup.outcomeOf(refundFailed)).toBe('handled');
    expect(await topup.outcomeOf(refundFailed)).toBe('duplicate');
    // The same failure under other event types (older API versions, other endpoints).
    expect(await topup.outcomeOf(stripe.event('refund.updated', failed))).toBe('handled');
    expect(await topup.outcomeOf(stripe.event('charge.refund.updated', failed))).toBe('handled');
    await eventually(async () => expect(await ledgerCredit(account)).toBe('15.000000'));

    // Tried again: the charge's amount_refunded is 1500 once more, a new refund of its own.
    stripe.createRefund(paymentIntentId, { amountMinor: 1500 });
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));

    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '5.000000', '15.000000'],
      ['credit_purchased', '5.000000', '15.000000'],
      ['credit_refunded', '5.000000', '15.000000'],
    ]);
    expect(new Set(topup.paymentsOf(account).map((payment) => payment.stripe_ref))).toEqual(
      new Set([paymentIntentId]),
    );
    expect(await history(account)).toEqual([
      ['refund', 'succeeded', '5.000000', '15.000000'],
      ['refund', 'failed', '0.000000', '15.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
    const reconciled = await ledgerCommands.send<{ ok: boolean }>('ledger.reconcile', {});
    expect(reconciled.ok).toBe(true);
  });

  it('a refund.failed before its charge.refunded: the late charge.refunded (1500 refunded then) takes nothing', async () => {
    const account = 'acct_refund_failed_first';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const refund = stripe.createRefund(paymentIntentId, { amountMinor: 1500 });
    const chargeThen = stripe.chargeOf(paymentIntentId);
    expect(chargeThen['amount_refunded']).toBe(1500);
    const failed = stripe.failRefund(refund.id);

    expect(await topup.outcomeOf(stripe.event('refund.failed', failed))).toBe('handled');
    expect(await topup.outcomeOf(stripe.event('charge.refunded', chargeThen))).toBe('handled');
    // A later refund of 30 CHF shows that nothing else moved: 10 of 15 taken back.
    stripe.createRefund(paymentIntentId, { amountMinor: 3000 });
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('5.000000'));

    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '10.000000', '30.000000'],
    ]);
    expect(await history(account)).toEqual([
      ['refund', 'succeeded', '10.000000', '30.000000'],
      ['refund', 'failed', '0.000000', '15.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
  });

  it('a refund awaiting the customer (requires_action) takes all 15 back; canceled, all 15 come back', async () => {
    const account = 'acct_refund_canceled';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const refund = stripe.createRefund(paymentIntentId, { status: 'requires_action' });
    await topup.outcomeOf(stripe.event('refund.created', refund));
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));

    await topup.outcomeOf(stripe.event('refund.updated', stripe.cancelRefund(refund.id)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('15.000000'));
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '15.000000', '45.000000'],
      ['credit_purchased', '15.000000', '45.000000'],
    ]);
    expect(await history(account)).toEqual([
      ['refund', 'canceled', '0.000000', '45.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
  });

  it('thirds of 30 CHF refunded, the first failing, then the rest: never more than the 10 credited, 0 left exactly', async () => {
    const account = 'acct_refund_thirds';
    const paymentIntentId = await checkoutPaid(account, '30', '10.000000');
    const first = stripe.createRefund(paymentIntentId, { amountMinor: 1000 });
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    stripe.createRefund(paymentIntentId, { amountMinor: 1000 });
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('3.333333333333'));

    await topup.outcomeOf(stripe.event('refund.failed', stripe.failRefund(first.id)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('6.666666666666'));

    stripe.createRefund(paymentIntentId);
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));
    expect(payments(account)).toEqual([
      ['credit_purchased', '10.000000', '30.000000'],
      ['credit_refunded', '3.333333333333', '10.000000'],
      ['credit_refunded', '3.333333333334', '10.000000'],
      ['credit_purchased', '3.333333333333', '10.000000'],
      ['credit_refunded', '6.666666666666', '20.000000'],
    ]);
  });

  it('refund events of a charge top-up never made are ignored, and Stripe is not asked about them', async () => {
    const foreign = {
      id: 'ch_not_tallys',
      object: 'charge',
      amount: 5000,
      amount_refunded: 5000,
      refunded: true,
      currency: 'chf',
      payment_intent: 'pi_not_tallys',
      metadata: {},
    };
    const refund = {
      id: 're_not_tallys',
      object: 'refund',
      amount: 5000,
      currency: 'chf',
      charge: 'ch_not_tallys',
      payment_intent: 'pi_not_tallys',
      status: 'failed',
      metadata: {},
    };
    const reads = stripe.requests.filter((request) => request.method === 'GET').length;
    expect(await topup.outcomeOf(stripe.event('charge.refunded', foreign))).toBe('ignored');
    expect(await topup.outcomeOf(stripe.event('refund.failed', refund))).toBe('ignored');
    expect(stripe.requests.filter((request) => request.method === 'GET')).toHaveLength(reads);
  });
});
