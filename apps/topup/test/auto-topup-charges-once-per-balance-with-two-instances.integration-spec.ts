import { eventually } from '@tally/testing';
import { AUTO_PACK_PURCHASED, topUpAgainstFakeStripe } from './topup.harness';

/**
 * Two top-up instances in one consumer group, the second joining as the burst begins (and two
 * chargers sweeping one table), bursts of balances under the trigger for several accounts, some
 * Stripe answers lost: each account is charged once, with one PaymentIntent, and every later
 * balance is refused while that charge is pending or in cooldown.
 */
describe('auto top-up charges once per need with two instances', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  it('six balances under the trigger for each of eight accounts make one PaymentIntent each', async () => {
    const accounts = Array.from({ length: 8 }, (_, index) => `acct_burst_${index}`);
    for (const account of accounts) await topup.saveCard(account);
    // The second instance joins now: the group rebalances while the burst is consumed.
    await topup.startInstance();
    // Some answers are lost: those charges are retried under their keys.
    stripe.dropNextResponses(3);
    for (let sequence = 1; sequence <= 6; sequence += 1) {
      await Promise.all(
        accounts.map((account) => topup.balance(account, sequence, 4 - sequence / 2)),
      );
    }
    for (const account of accounts) {
      await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1), 30_000);
      expect(topup.paymentsOf(account)[0]).toMatchObject(AUTO_PACK_PURCHASED);
    }
    const made = stripe
      .objectsOf<{ metadata: Record<string, string> }>('payment_intent')
      .map((paymentIntent) => paymentIntent.metadata['account_id']);
    expect(made.sort()).toEqual([...accounts].sort());
    for (const account of accounts) {
      expect(new Set(topup.chargesOf(account).map((request) => request.idempotencyKey)).size).toBe(
        1,
      );
    }
  });
});
