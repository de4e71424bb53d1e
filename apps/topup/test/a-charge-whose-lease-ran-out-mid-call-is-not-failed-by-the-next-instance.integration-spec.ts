import { eventually } from '@tally/testing';
import { AUTO_PACK_PURCHASED, topUpAgainstFakeStripe } from './topup.harness';

/**
 * Two top-up instances. One instance's off-session charge is still being carried out by a slow
 * Stripe when its lease runs out (stripe-node's three tries of 20 s each outlast the 60 s
 * lease); the other instance claims the charge and sends it again under the same key, and
 * Stripe answers 409 `idempotency_key_in_use`. That answer says nothing about the charge: the
 * first call goes on and charges the card.
 */
describe('a charge whose lease ran out while Stripe was still carrying it out', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  beforeAll(async () => {
    await topup.startInstance();
  });

  it('is retried, not failed, by the other instance: one PaymentIntent, 10 credited for 30 CHF, no credit_failed', async () => {
    const account = 'acct_slow_stripe';
    await topup.saveCard(account);
    const release = stripe.stallNext('/v1/payment_intents');
    await topup.balance(account, 1, 2);
    await eventually(() => expect(topup.chargesOf(account)).toHaveLength(1), 30_000);
    // The first instance's lease runs out while its call is still in progress.
    await topup.db(
      `UPDATE "${topup.schema}".topup_entries SET next_charge_at = now()
       WHERE account_id = $1 AND status = 'pending'`,
      [account],
    );
    // The other instance's sweep claims it and sends the same key: 409 idempotency_key_in_use.
    await eventually(() => expect(topup.chargesOf(account)).toHaveLength(2), 30_000);
    await eventually(async () => {
      const [entry] = await topup.db<{ settled: boolean }>(
        `SELECT status <> 'pending' OR next_charge_at > now() + interval '1 second' AS settled
         FROM "${topup.schema}".topup_entries WHERE account_id = $1 AND trigger = 'auto'`,
        [account],
      );
      expect(entry?.settled).toBe(true);
    });
    // Stripe finishes the first call: the card is charged.
    release();
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(topup.paymentsOf(account)).toEqual([expect.objectContaining(AUTO_PACK_PURCHASED)]);
    expect(stripe.objectsOf('payment_intent')).toHaveLength(1);
    const keys = topup.chargesOf(account).map((request) => request.idempotencyKey);
    expect(new Set(keys).size).toBe(1);
    const [entry] = await topup.db<{ status: string; failure_code: string | null }>(
      `SELECT status, failure_code FROM "${topup.schema}".topup_entries
       WHERE account_id = $1 AND trigger = 'auto'`,
      [account],
    );
    expect(entry).toEqual({ status: 'succeeded', failure_code: null });
  });
});
