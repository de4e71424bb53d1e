import { eventually } from '@tally/testing';
import { topUpWithTheLedger } from './topup.harness';

/**
 * One account paying in yen (a zero-decimal currency: Stripe takes 3000 as 3000 yen) through
 * every payment path, manual and automatic: what the fake Stripe was asked to charge, what
 * top-up's history and payments.events say, and what the ledger (a process of its own) posted
 * to the credit wallet agree as exact strings, and the ledger reconciles.
 */
describe('every payment path agrees with Stripe and the ledger, in yen', () => {
  const { stripe, topup, ledgerCommands, ledgerCredit, ledgerCreditPostings, checkoutPaid } =
    topUpWithTheLedger(['ledger.budget-status', 'ledger.reconcile'], {
      TOPUP_PAID_CURRENCY: 'JPY',
      TOPUP_CREDIT_RATE: '10/1500',
      TOPUP_MIN_PAID: '500',
      TOPUP_MAX_PAID: '150000',
      TOPUP_PACKS: '1500,4500,13500',
      TOPUP_AUTO_AMOUNT_PAID: '4500',
      TOPUP_AUTO_MONTHLY_LIMIT: '45000',
    });

  const history = (account: string) =>
    topup.historyFieldsOf(
      account,
      'kind',
      'trigger',
      'status',
      'credit_amount',
      'paid_amount',
      'paid_currency',
    );
  const payments = (account: string) =>
    topup.paymentFieldsOf(
      account,
      'kind',
      'trigger',
      'credit_amount',
      'paid_amount',
      'paid_currency',
    );
  /** The ledger's credit postings as [kind, paid amount, signed credit]. */
  const posted = async (account: string) =>
    (await ledgerCreditPostings(account)).map((row) => [row.kind, row.paid, row.credit]);
  /** What the fake Stripe was asked to charge off-session: [amount, currency]. */
  const autoCharged = (account: string) =>
    topup
      .chargesOf(account)
      .map((request) => [request.params['amount'], request.params['currency']]);
  const reconciles = async () =>
    expect(await ledgerCommands.send<{ ok: boolean }>('ledger.reconcile', {})).toMatchObject({
      ok: true,
    });

  it('a checkout of 3000 yen, refunded 1000 then the rest: 20 bought, 6.666666666667 and 13.333333333333 taken back', async () => {
    const account = 'acct_yen_manual';
    const paymentIntentId = await checkoutPaid(account, '3000', '20.000000');
    const [session] = stripe
      .requestsTo('POST', '/v1/checkout/sessions')
      .filter((request) => request.params['client_reference_id'] === account);
    expect(session?.params['line_items']).toEqual([
      {
        quantity: '1',
        price_data: expect.objectContaining({ currency: 'jpy', unit_amount: '3000' }),
      },
    ]);
    expect(stripe.object(paymentIntentId)).toMatchObject({ amount: 3000, currency: 'jpy' });

    await topup.outcomeOf(stripe.event('charge.refunded', stripe.refund(paymentIntentId, 1000)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('13.333333333333'));
    await topup.outcomeOf(stripe.event('charge.refunded', stripe.refund(paymentIntentId)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));

    expect(payments(account)).toEqual([
      ['credit_purchased', 'manual', '20.000000', '3000.000000', 'JPY'],
      ['credit_refunded', 'manual', '6.666666666667', '1000.000000', 'JPY'],
      ['credit_refunded', 'manual', '13.333333333333', '2000.000000', 'JPY'],
    ]);
    expect(await history(account)).toEqual([
      ['refund', 'manual', 'succeeded', '13.333333333333', '2000.000000', 'JPY'],
      ['refund', 'manual', 'succeeded', '6.666666666667', '1000.000000', 'JPY'],
      ['purchase', 'manual', 'succeeded', '20.000000', '3000.000000', 'JPY'],
    ]);
    expect(await posted(account)).toEqual([
      ['purchase', '3000.000000', '20.000000000000'],
      ['purchase_refund', '1000.000000', '-6.666666666667'],
      ['purchase_refund', '2000.000000', '-13.333333333333'],
    ]);
    await reconciles();
  });

  it('an automatic top-up processing then settled, disputed and lost, then won on appeal; a declined one moves nothing', async () => {
    const account = 'acct_yen_auto';
    await topup.saveCard(account);
    stripe.nextPaymentIntents('processing');
    // Far above the sequences of the balances the ledger announces as it posts this account's
    // payments: each of these is decided, and none of the ledger's after it.
    await topup.balance(account, 100, 4);
    expect(await topup.decided(account, 100)).toBe('charged');
    const paymentIntentId = await eventually(async () => {
      const [row] = await topup.db<{ payment_intent_id: string }>(
        `SELECT payment_intent_id FROM "${topup.schema}".topup_entries
         WHERE account_id = $1 AND status = 'pending' AND payment_intent_id IS NOT NULL`,
        [account],
      );
      expect(row?.payment_intent_id).toMatch(/^pi_/);
      return row?.payment_intent_id ?? '';
    });
    expect(await ledgerCredit(account)).toBeUndefined();
    await topup.outcomeOf(
      stripe.event('payment_intent.succeeded', stripe.succeedPaymentIntent(paymentIntentId)),
    );
    await eventually(async () => expect(await ledgerCredit(account)).toBe('30.000000'));
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'cooldown',
        month_auto_paid: '4500.000000',
        monthly_limit: '45000.000000',
        paid_currency: 'JPY',
      }),
    );

    const dispute = stripe.dispute(paymentIntentId);
    await topup.outcomeOf(
      stripe.event('charge.dispute.closed', stripe.decideDispute(dispute.id, 'lost')),
    );
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));
    await topup.outcomeOf(
      stripe.event('charge.dispute.closed', stripe.decideDispute(dispute.id, 'won')),
    );
    await eventually(async () => expect(await ledgerCredit(account)).toBe('30.000000'));

    // A new card, and the next charge is declined: an attempt of 4500 yen, nothing credited.
    await topup.saveCard(account);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));
    await topup.db(
      `UPDATE "${topup.schema}".topup_entries SET settled_at = settled_at - interval '25 hours'
       WHERE account_id = $1`,
      [account],
    );
    stripe.nextPaymentIntents('card_declined');
    await topup.balance(account, 200, 3);
    expect(await topup.decided(account, 200)).toBe('charged');
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));

    expect(autoCharged(account)).toEqual([
      ['4500', 'jpy'],
      ['4500', 'jpy'],
    ]);
    await eventually(() =>
      expect(payments(account)).toEqual([
        ['credit_purchased', 'auto', '30.000000', '4500.000000', 'JPY'],
        ['credit_refunded', 'auto', '30.000000', '4500.000000', 'JPY'],
        ['credit_purchased', 'auto', '30.000000', '4500.000000', 'JPY'],
        ['credit_failed', 'auto', '0.000000', '4500.000000', 'JPY'],
      ]),
    );
    expect(await history(account)).toEqual([
      ['failed', 'auto', 'failed', '0.000000', '4500.000000', 'JPY'],
      ['refund', 'auto', 'canceled', '0.000000', '4500.000000', 'JPY'],
      ['auto_purchase', 'auto', 'succeeded', '30.000000', '4500.000000', 'JPY'],
    ]);
    expect(await posted(account)).toEqual([
      ['purchase', '4500.000000', '30.000000000000'],
      ['purchase_refund', '4500.000000', '-30.000000000000'],
      ['purchase', '4500.000000', '30.000000000000'],
    ]);
    expect(await ledgerCredit(account)).toBe('30.000000');
    await reconciles();
  });
});
