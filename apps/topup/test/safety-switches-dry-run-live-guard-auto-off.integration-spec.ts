import type { PaymentEvent } from '@tally/budget-domain';
import { FakeStripeServer, eventually } from '@tally/testing';
import { TopUpHarness } from './topup.harness';

describe('safety switches: dry run, the live guard and the auto top-up off switch', () => {
  let stripe: FakeStripeServer;

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
  });
  afterAll(() => stripe.stop());

  it('TOPUP_DRY_RUN: commands answer dry_run with the exact figures, and nothing reaches Stripe', async () => {
    const topup = await new TopUpHarness(stripe, { TOPUP_DRY_RUN: 'true' }).start();
    try {
      const requestsBefore = stripe.requests.length;
      expect(
        await topup.send('topup.create-checkout', { account_id: 'acct_dry', amount_paid: '10' }),
      ).toEqual({
        checkout_url: null,
        session_id: null,
        credit_amount: '3.333333333333',
        paid_amount: '10.000000',
        paid_currency: 'CHF',
        dry_run: true,
      });
      expect(await topup.send('topup.create-setup', { account_id: 'acct_dry' })).toEqual({
        checkout_url: null,
        session_id: null,
        dry_run: true,
      });
      expect((await topup.deliver(topup.setupSucceeded('acct_dry'))).status).toBe(200);
      await topup.balance('acct_dry', 1, 2);
      expect(await topup.decided('acct_dry', 1)).toBe('dry_run');
      expect(stripe.requests.length).toBe(requestsBefore);
      expect(
        await topup.send<{ items: unknown[] }>('topup.history', { account_id: 'acct_dry' }),
      ).toEqual({ items: [], next_cursor: null });
    } finally {
      await topup.stop();
    }
  });

  it('a live key without TOPUP_ALLOW_LIVE: every command and automatic charge answers LIVE_TOPUP_BLOCKED; webhooks are still verified and recorded', async () => {
    const topup = await new TopUpHarness(stripe, {
      STRIPE_SECRET_KEY: 'sk_live_not_really_a_live_key',
    }).start();
    try {
      const requestsBefore = stripe.requests.length;
      for (const [pattern, payload] of [
        ['topup.create-checkout', { account_id: 'acct_live', amount_paid: '30' }],
        ['topup.create-setup', { account_id: 'acct_live' }],
        ['topup.get-auto-topup', { account_id: 'acct_live' }],
        ['topup.update-auto-topup', { account_id: 'acct_live', enabled: false }],
        ['topup.history', { account_id: 'acct_live' }],
      ] as const) {
        expect([pattern, await topup.send(pattern, payload)]).toEqual([
          pattern,
          {
            error_code: 'LIVE_TOPUP_BLOCKED',
            message:
              'a live Stripe key is configured without TOPUP_ALLOW_LIVE: top-ups are blocked',
          },
        ]);
      }
      const event = topup.setupSucceeded('acct_live');
      expect((await topup.deliver(event)).status).toBe(200);
      expect((await topup.deliver(event, { secret: 'whsec_wrong' })).status).toBe(400);
      expect(
        await topup.db(
          `SELECT type, account_id, outcome FROM "${topup.schema}".stripe_events WHERE event_id = $1`,
          [event['id']],
        ),
      ).toEqual([{ type: 'setup_intent.succeeded', account_id: 'acct_live', outcome: 'handled' }]);
      await topup.balance('acct_live', 1, 2);
      expect(await topup.decided('acct_live', 1)).toBe('live_topup_blocked');
      expect(stripe.requests.length).toBe(requestsBefore);
    } finally {
      await topup.stop();
    }
  });

  it('a live key without TOPUP_ALLOW_LIVE: a charge.refunded that lists no refunds answers 503 unrecorded (Stripe is not asked), one that lists them is applied', async () => {
    const topup = await new TopUpHarness(stripe, {
      STRIPE_SECRET_KEY: 'sk_live_not_really_a_live_key',
    }).start();
    try {
      const entryId = '5b0c1d52-8a4e-4f43-9a57-2f1d6e0c7a11';
      await topup.db(
        `INSERT INTO "${topup.schema}".topup_entries (account_id, entry_id, kind, trigger, status,
           credit_amount, paid_amount, paid_currency, payment_intent_id, created_at, settled_at,
           credited_at)
         VALUES ('acct_live_refund', $1, 'purchase', 'manual', 'succeeded', 15, 45, 'CHF',
           'pi_live_refund', now(), now(), now())`,
        [entryId],
      );
      const charge = {
        id: 'ch_live_refund',
        object: 'charge',
        amount: 4500,
        amount_refunded: 1500,
        currency: 'chf',
        payment_intent: 'pi_live_refund',
        metadata: { account_id: 'acct_live_refund', entry_id: entryId },
      };
      const requestsBefore = stripe.requests.length;
      const unlisted = stripe.event('charge.refunded', charge);
      const refused = await topup.deliver(unlisted);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error_code: 'STRIPE_UNAVAILABLE' });
      expect(
        await topup.db(`SELECT 1 FROM "${topup.schema}".stripe_events WHERE event_id = $1`, [
          unlisted['id'],
        ]),
      ).toEqual([]);
      expect(stripe.requests.length).toBe(requestsBefore);

      // API versions before 2022-11-15 list the charge's refunds in the event.
      const refund = {
        id: 're_live_refund',
        object: 'refund',
        amount: 1500,
        currency: 'chf',
        charge: 'ch_live_refund',
        payment_intent: 'pi_live_refund',
        status: 'succeeded',
        created: 1,
      };
      const listed = stripe.event('charge.refunded', {
        ...charge,
        refunds: { object: 'list', data: [refund], has_more: false },
      });
      expect((await topup.deliver(listed)).status).toBe(200);
      await eventually(() => expect(topup.paymentsOf('acct_live_refund')).toHaveLength(1));
      expect(topup.paymentsOf('acct_live_refund')[0]).toMatchObject({
        id: `topup:${entryId}:refunded:re_live_refund`,
        kind: 'credit_refunded',
        credit_amount: '5.000000',
        paid_amount: '15.000000',
      });
      expect(stripe.requests.length).toBe(requestsBefore);
    } finally {
      await topup.stop();
    }
  });

  it('a live key with TOPUP_ALLOW_LIVE is used', async () => {
    const topup = await new TopUpHarness(stripe, {
      STRIPE_SECRET_KEY: 'sk_live_not_really_a_live_key',
      TOPUP_ALLOW_LIVE: 'true',
    }).start();
    try {
      expect(
        await topup.send('topup.create-checkout', {
          account_id: 'acct_allowed',
          amount_paid: '30',
        }),
      ).toMatchObject({ credit_amount: '10.000000', dry_run: false });
    } finally {
      await topup.stop();
    }
  });

  it('TOPUP_AUTO_ENABLED=false: no automatic charge, the decision is disabled and the state says so', async () => {
    const topup = await new TopUpHarness(stripe, { TOPUP_AUTO_ENABLED: 'false' }).start();
    try {
      const requestsBefore = stripe.requests.length;
      expect((await topup.deliver(topup.setupSucceeded('acct_switch_off'))).status).toBe(200);
      await topup.balance('acct_switch_off', 1, 1);
      expect(await topup.decided('acct_switch_off', 1)).toBe('disabled');
      expect(await topup.autoTopUpSettings('acct_switch_off')).toMatchObject({
        enabled: true,
        state: { enabled: false, state: 'idle' },
      });
      expect(stripe.requests.length).toBe(requestsBefore);
      expect(topup.payments.json<PaymentEvent>()).toEqual([]);
    } finally {
      await topup.stop();
    }
  });
});
