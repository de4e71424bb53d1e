import { createApiKey, eventually, usageRated } from '@tally/testing';
import { topUpWithTheLedger } from './topup.harness';

/**
 * The whole loop, with the ledger as its own process: usage drives an account under its
 * trigger, top-up makes exactly one off-session PaymentIntent, its webhook credits the
 * ledger, and an authorization refused with AUTO_TOPUP_PENDING meanwhile goes through (one
 * that sent wait_ms as soon as the credit lands).
 */
describe('end to end: usage -> auto top-up -> webhook -> credit -> the authorization goes through', () => {
  const account = 'acct_e2e';
  const { stripe, topup, ledger, ledgerCommands, ledgerCredit } = topUpWithTheLedger([
    'ledger.create-account',
    'ledger.create-api-key',
    'ledger.grant-credit',
    'ledger.budget-status',
  ]);
  let apiKeySecret: string;

  const ledgerUrl = () => `http://127.0.0.1:${ledger.running('ledger')[0]!.port}`;
  const authorize = (body: Record<string, unknown>) =>
    fetch(`${ledgerUrl()}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKeySecret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const use = (cost: string) =>
    ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [usageRated(account, cost)]);
  const credit = () => ledgerCredit(account);

  beforeAll(async () => {
    await ledgerCommands.send('ledger.create-account', { account_id: account, name: 'E2E Inc.' });
    apiKeySecret = (await createApiKey(ledgerCommands, account, 'gateway')).secret;
    expect(
      await ledgerCommands.send('ledger.grant-credit', {
        account_id: account,
        amount: '10.00',
        kind: 'grant',
        reason: 'trial',
        idempotency_key: 'e2e-trial',
      }),
    ).toMatchObject({ account_id: account });
  });

  it('usage under the trigger makes exactly one PaymentIntent, and its credit lets the refused authorization through', async () => {
    // The tenant saved a card (setup session) with auto top-up on.
    await topup.saveCard(account);

    // Stripe will report the charge as processing: it stays pending until its webhook.
    stripe.nextPaymentIntents('processing');
    await use('9.70');
    await eventually(() => expect(topup.chargesOf(account)).toHaveLength(1), 30_000);
    expect(topup.chargesOf(account)[0]).toMatchObject({
      params: { amount: '3000', currency: 'chf', off_session: 'true', confirm: 'true' },
    });

    // A second change under the trigger while the first charge is pending: still one charge.
    await use('0.05');
    await eventually(async () =>
      expect(await topup.decisionOf(account)).toMatchObject({ last_decision: 'pending' }),
    );
    await eventually(async () => {
      const response = await authorize({ estimated_cost: '1.00' });
      expect(response.status).toBe(402);
      expect(await response.json()).toMatchObject({
        authorized: false,
        error_code: 'AUTO_TOPUP_PENDING',
        available: '0.250000',
      });
    });
    expect(topup.chargesOf(account)).toHaveLength(1);

    // A caller that can wait sends wait_ms; the card is charged meanwhile.
    const waiting = authorize({ estimated_cost: '1.00', wait_ms: 25_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [paymentIntentId] = (
      await topup.db<{ payment_intent_id: string }>(
        `SELECT payment_intent_id FROM "${topup.schema}".topup_entries WHERE account_id = $1 AND trigger = 'auto'`,
        [account],
      )
    ).map((row) => row.payment_intent_id);
    const webhook = await topup.deliver(
      stripe.event('payment_intent.succeeded', stripe.succeedPaymentIntent(paymentIntentId!)),
    );
    expect(webhook.status).toBe(200);

    const waited = await waiting;
    expect(waited.status).toBe(201);
    expect(await waited.json()).toMatchObject({ authorized: true, amount: '1.000000' });
    await eventually(async () => expect(await credit()).toBe('10.250000'));
    const again = await authorize({ estimated_cost: '1.00' });
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ authorized: true, available: '8.250000' });

    expect(topup.chargesOf(account)).toHaveLength(1);
    expect(
      topup.paymentFieldsOf(account, 'kind', 'trigger', 'credit_amount', 'stripe_ref'),
    ).toEqual([['credit_purchased', 'auto', '10.000000', paymentIntentId]]);
  });
});
