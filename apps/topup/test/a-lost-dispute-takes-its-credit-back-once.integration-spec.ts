import { eventually } from '@tally/testing';
import { topUpWithTheLedger } from './topup.harness';

/**
 * A card payment disputed by the customer's bank and lost: Stripe keeps the money back and
 * sends no charge.refunded, only charge.dispute.* events. The credit that payment bought is
 * taken back once, as a refund of the disputed amount (ADR 0156), and the ledger (a process of
 * its own here) shows what the customer kept.
 */
describe('a lost dispute takes its credit back once', () => {
  const { stripe, topup, ledgerCommands, ledgerCredit, checkoutPaid } = topUpWithTheLedger([
    'ledger.budget-status',
    'ledger.reconcile',
  ]);

  const history = (account: string) =>
    topup.historyFieldsOf(account, 'kind', 'status', 'credit_amount', 'paid_amount');
  const payments = (account: string) =>
    topup.paymentFieldsOf(account, 'kind', 'credit_amount', 'paid_amount');

  it('45 CHF disputed and lost: all 15 taken back once, as a refund of the payment intent; repeats change nothing', async () => {
    const account = 'acct_dispute_lost';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const dispute = stripe.dispute(paymentIntentId);
    // While the bank decides, the money is withdrawn but the credit stays (ADR 0156).
    expect(await topup.outcomeOf(stripe.event('charge.dispute.created', dispute))).toBe('ignored');
    expect(await topup.outcomeOf(stripe.event('charge.dispute.funds_withdrawn', dispute))).toBe(
      'ignored',
    );

    const lost = stripe.event('charge.dispute.closed', stripe.decideDispute(dispute.id, 'lost'));
    expect(await topup.outcomeOf(lost)).toBe('handled');
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));
    expect(await topup.outcomeOf(lost)).toBe('duplicate');
    // The same loss under another event id (an update Stripe sends too, a resend).
    expect(
      await topup.outcomeOf(stripe.event('charge.dispute.updated', stripe.object(dispute.id))),
    ).toBe('handled');
    expect(
      await topup.outcomeOf(stripe.event('charge.dispute.closed', stripe.object(dispute.id))),
    ).toBe('handled');

    expect(await history(account)).toEqual([
      ['refund', 'succeeded', '15.000000', '45.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '15.000000', '45.000000'],
    ]);
    const [purchase, refunded] = topup.paymentsOf(account);
    expect(refunded?.stripe_ref).toBe(paymentIntentId);
    expect(refunded?.id).toBe(`${purchase?.id.replace(/:purchased$/, '')}:refunded:${dispute.id}`);
    expect(await ledgerCredit(account)).toBe('0.000000');
    const reconciled = await ledgerCommands.send<{ ok: boolean }>('ledger.reconcile', {});
    expect(reconciled.ok).toBe(true);
  });

  it('15 CHF of 45 refunded, then all 45 disputed and lost: only the 10 left is taken back', async () => {
    const account = 'acct_dispute_after_refund';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    stripe.createRefund(paymentIntentId, { amountMinor: 1500 });
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));

    const dispute = stripe.dispute(paymentIntentId);
    await topup.outcomeOf(
      stripe.event('charge.dispute.closed', stripe.decideDispute(dispute.id, 'lost')),
    );
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '5.000000', '15.000000'],
      ['credit_refunded', '10.000000', '30.000000'],
    ]);
    expect(await history(account)).toEqual([
      ['refund', 'succeeded', '10.000000', '30.000000'],
      ['refund', 'succeeded', '5.000000', '15.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
  });

  it('all 45 CHF refunded, then disputed and lost: nothing more is taken, nor announced', async () => {
    const account = 'acct_dispute_after_full_refund';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    stripe.createRefund(paymentIntentId);
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));

    const dispute = stripe.dispute(paymentIntentId);
    await topup.outcomeOf(
      stripe.event('charge.dispute.closed', stripe.decideDispute(dispute.id, 'lost')),
    );
    // A later purchase shows that nothing else reached the ledger before it.
    await checkoutPaid(account, '30', '10.000000');
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '15.000000', '45.000000'],
      ['credit_purchased', '10.000000', '30.000000'],
    ]);
    expect(await history(account)).toEqual([
      ['purchase', 'succeeded', '10.000000', '30.000000'],
      ['refund', 'succeeded', '15.000000', '45.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
  });

  it('15 CHF of 45 disputed and lost takes its share, 5, back', async () => {
    const account = 'acct_dispute_partial';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const dispute = stripe.dispute(paymentIntentId, { amountMinor: 1500 });
    await topup.outcomeOf(
      stripe.event('charge.dispute.closed', stripe.decideDispute(dispute.id, 'lost')),
    );
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '5.000000', '15.000000'],
    ]);
  });

  it('a charge presented in EUR (48.00 for 45 CHF): 24.00 EUR disputed and lost is half of it, 7.5 of 15, the charge read from Stripe', async () => {
    const account = 'acct_dispute_presented';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const chargeId = stripe.chargeOf(paymentIntentId).id;
    Object.assign(stripe.object(chargeId), { currency: 'eur', amount: 4800 });
    const dispute = stripe.dispute(paymentIntentId, { amountMinor: 2400 });
    await topup.outcomeOf(
      stripe.event('charge.dispute.closed', stripe.decideDispute(dispute.id, 'lost')),
    );
    await eventually(async () => expect(await ledgerCredit(account)).toBe('7.500000'));
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '7.500000', '22.500000'],
    ]);
    expect(stripe.requestsTo('GET', `/v1/charges/${chargeId}`)).toHaveLength(1);
  });

  it('a dispute won after its funds were withdrawn takes nothing and records nothing', async () => {
    const account = 'acct_dispute_won';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const dispute = stripe.dispute(paymentIntentId);
    await topup.outcomeOf(stripe.event('charge.dispute.funds_withdrawn', dispute));
    const won = stripe.decideDispute(dispute.id, 'won');
    // Applied to the payment (handled), moving nothing: a loss never took anything.
    expect(await topup.outcomeOf(stripe.event('charge.dispute.funds_reinstated', won))).toBe(
      'handled',
    );
    expect(await topup.outcomeOf(stripe.event('charge.dispute.closed', won))).toBe('handled');
    // A later refund shows that nothing moved before it: 5 of 15 taken back.
    stripe.createRefund(paymentIntentId, { amountMinor: 1500 });
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '5.000000', '15.000000'],
    ]);
    expect(await history(account)).toEqual([
      ['refund', 'succeeded', '5.000000', '15.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
  });

  it('a lost dispute won on appeal gives its 15 back once, as a restoration; the loss delivered late takes nothing again', async () => {
    const account = 'acct_dispute_appeal_won';
    const paymentIntentId = await checkoutPaid(account, '45', '15.000000');
    const dispute = stripe.dispute(paymentIntentId);
    const lost = stripe.decideDispute(dispute.id, 'lost');
    await topup.outcomeOf(stripe.event('charge.dispute.closed', lost));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));

    stripe.decideDispute(dispute.id, 'appeal_needs_response');
    const wonOnAppeal = stripe.decideDispute(dispute.id, 'won');
    expect(await topup.outcomeOf(stripe.event('charge.dispute.closed', wonOnAppeal))).toBe(
      'handled',
    );
    expect(
      await topup.outcomeOf(stripe.event('charge.dispute.funds_reinstated', wonOnAppeal)),
    ).toBe('handled');
    expect(await topup.outcomeOf(stripe.event('charge.dispute.closed', lost))).toBe('handled');
    await eventually(async () => expect(await ledgerCredit(account)).toBe('15.000000'));
    expect(payments(account)).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '15.000000', '45.000000'],
      ['credit_purchased', '15.000000', '45.000000'],
    ]);
    expect(topup.paymentsOf(account)[2]?.restores_refund).toBe(dispute.id);
    expect(await history(account)).toEqual([
      ['refund', 'canceled', '0.000000', '45.000000'],
      ['purchase', 'succeeded', '15.000000', '45.000000'],
    ]);
  });

  it('a dispute of a charge top-up never made is ignored, and Stripe is not asked about it', async () => {
    const foreign = {
      id: 'dp_not_tallys',
      object: 'dispute',
      amount: 5000,
      currency: 'chf',
      charge: 'ch_not_tallys',
      payment_intent: 'pi_not_tallys',
      status: 'lost',
      metadata: {},
    };
    const reads = stripe.requests.filter((request) => request.method === 'GET').length;
    expect(await topup.outcomeOf(stripe.event('charge.dispute.closed', foreign))).toBe('ignored');
    expect(stripe.requests.filter((request) => request.method === 'GET')).toHaveLength(reads);
  });
});
