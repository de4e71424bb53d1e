import { eventually } from '@tally/testing';
import { topUpAgainstFakeStripe } from './topup.harness';

/**
 * A payment of the account disputed by the card holder's bank and lost (ADR 0156 takes its
 * credit back): auto top-up must not charge the saved card off-session again, so it is paused
 * as after a failed charge, says why on topup.status-changed, and only a new card (or turning it
 * on again) ends the pause; no late success of another charge does (ADR 0157).
 */
describe('a lost dispute pauses auto top-up', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  /** A manual checkout of 45 CHF, paid and credited (15); returns its payment intent. */
  const paidByHand = async (account: string): Promise<string> => {
    const reply = await topup.send<{ session_id: string }>('topup.create-checkout', {
      account_id: account,
      amount_paid: '45',
    });
    const session = stripe.completeCheckout(reply.session_id);
    expect(await topup.outcomeOf(stripe.event('checkout.session.completed', session))).toBe(
      'handled',
    );
    return session['payment_intent'] as string;
  };

  const disputeDecided = async (paymentIntentId: string, status: 'lost' | 'won') => {
    const dispute = stripe.dispute(paymentIntentId);
    const decided = stripe.decideDispute(dispute.id, status);
    expect(await topup.outcomeOf(stripe.event('charge.dispute.closed', decided))).toBe('handled');
    return dispute.id;
  };

  const pausedStates = (account: string) =>
    topup.statusesOf(account).filter((status) => status.auto_topup.state === 'paused');

  it('a manual payment disputed and lost: paused, saying why; the next low balance charges nothing; a new card resumes', async () => {
    const account = 'acct_dispute_pauses';
    await topup.saveCard(account);
    const paymentIntentId = await paidByHand(account);
    await disputeDecided(paymentIntentId, 'lost');
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2));
    expect(topup.paymentsOf(account).map((payment) => payment.kind)).toEqual([
      'credit_purchased',
      'credit_refunded',
    ]);

    await topup.balance(account, 1, 4);
    expect(await topup.decided(account, 1)).toBe('paused');
    expect(topup.chargesOf(account)).toHaveLength(0);
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        enabled: true,
        state: 'paused',
        pause_reason: 'dispute_lost',
      }),
    );
    expect(await topup.autoTopUpSettings(account)).toMatchObject({
      enabled: true,
      state: { state: 'paused', pause_reason: 'dispute_lost' },
    });

    // A new card saved through a setup session lifts the pause and decides the low balance again.
    await topup.saveCard(account);
    await eventually(() => expect(topup.chargesOf(account)).toHaveLength(1));
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));
    expect(topup.latestStatusOf(account)).not.toHaveProperty('pause_reason');
  });

  it('an automatic payment disputed and lost: its cooldown turns into a pause', async () => {
    const account = 'acct_dispute_of_auto';
    await topup.saveCard(account);
    await topup.balance(account, 1, 4);
    expect(await topup.decided(account, 1)).toBe('charged');
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));
    const [payment] = topup.paymentsOf(account);
    expect(payment?.stripe_ref).toMatch(/^pi_/);
    await disputeDecided(payment?.stripe_ref ?? '', 'lost');
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'paused',
        pause_reason: 'dispute_lost',
        month_auto_paid: '30.000000',
      }),
    );
  });

  it('a dispute won pauses nothing: the next low balance is charged', async () => {
    const account = 'acct_dispute_won_no_pause';
    await topup.saveCard(account);
    const paymentIntentId = await paidByHand(account);
    await disputeDecided(paymentIntentId, 'won');
    await topup.balance(account, 1, 4);
    expect(await topup.decided(account, 1)).toBe('charged');
    expect(topup.chargesOf(account)).toHaveLength(1);
    expect(pausedStates(account)).toEqual([]);
  });

  it('the same loss delivered again, before and after a new card, pauses once', async () => {
    const account = 'acct_dispute_pauses_once';
    await topup.saveCard(account);
    const paymentIntentId = await paidByHand(account);
    const disputeId = await disputeDecided(paymentIntentId, 'lost');
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));
    expect(
      await topup.outcomeOf(stripe.event('charge.dispute.updated', stripe.object(disputeId))),
    ).toBe('handled');
    await topup.saveCard(account);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('idle'));
    expect(
      await topup.outcomeOf(stripe.event('charge.dispute.closed', stripe.object(disputeId))),
    ).toBe('handled');
    await topup.balance(account, 1, 4);
    expect(await topup.decided(account, 1)).toBe('charged');
    expect(pausedStates(account)).toHaveLength(1);
  });

  it('a pause the dispute took over from a failed charge stays when that charge succeeds late', async () => {
    const account = 'acct_dispute_pause_outlives_late_success';
    await topup.saveCard(account);
    stripe.nextPaymentIntents('requires_action');
    await topup.balance(account, 1, 4);
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'paused',
        pause_reason: 'charge_failed',
      }),
    );
    const [failed] = topup.paymentsOf(account);
    expect(failed?.kind).toBe('credit_failed');
    expect(failed?.stripe_ref).toMatch(/^pi_/);

    const paymentIntentId = await paidByHand(account);
    await disputeDecided(paymentIntentId, 'lost');
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'paused',
        pause_reason: 'dispute_lost',
      }),
    );

    // The customer completes 3-D Secure of the failed automatic charge: credited, still paused.
    const lateSuccess = stripe.succeedPaymentIntent(failed?.stripe_ref ?? '');
    expect(await topup.outcomeOf(stripe.event('payment_intent.succeeded', lateSuccess))).toBe(
      'handled',
    );
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'paused',
        pause_reason: 'dispute_lost',
        month_auto_paid: '30.000000',
      }),
    );
    await topup.balance(account, 2, 3);
    expect(await topup.decided(account, 2)).toBe('paused');
    expect(topup.chargesOf(account)).toHaveLength(1);
  });
});
