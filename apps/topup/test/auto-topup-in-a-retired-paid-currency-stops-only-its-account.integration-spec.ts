import { createRequire } from 'node:module';
import type { PaymentEvent, TopUpStatusChanged } from '@tally/budget-domain';
import { FakeStripeServer, eventually, queryDatabase } from '@tally/testing';
import { TopUpHarness } from './topup.harness';

const murmur2 = createRequire(require.resolve('kafkajs'))(
  './src/producer/partitioners/default/murmur2',
) as (key: string) => number;
/** The partition kafkajs' default partitioner gives a key among the harness's 3. */
const partitionOf = (key: string) => (murmur2(key) & 0x7fffffff) % 3;

/** A setup completed in Stripe, as its webhook tells it. */
const setupSucceeded = (stripe: FakeStripeServer, account: string) =>
  stripe.event('setup_intent.succeeded', {
    id: `seti_${account}`,
    object: 'setup_intent',
    status: 'succeeded',
    customer: `cus_${account}`,
    payment_method: `pm_${account}_card`,
    metadata: { account_id: account, purpose: 'auto_topup_setup', enable_auto_topup: 'true' },
  });

/**
 * An operator changes TOPUP_PAID_CURRENCY while accounts keep settings in the old one, for
 * which there is no credit rate any more: such an account cannot be topped up automatically,
 * and says so, while every other account (on its partition too) is still served.
 */
describe('auto top-up settings in a paid currency the service no longer has stop only their account', () => {
  const retired = 'acct_chf_saved';
  let current = '';
  const env: Record<string, string> = {};
  let stripe: FakeStripeServer;
  let topup: TopUpHarness;

  const payments = (account: string) =>
    topup.payments.json<PaymentEvent>().filter((payment) => payment.account_id === account);
  const latestStatus = (account: string) =>
    topup.statuses
      .json<TopUpStatusChanged>()
      .filter((status) => status.account_id === account)
      .pop()?.auto_topup;
  const decided = (account: string, sequence: number) =>
    eventually(async () => {
      const [row] = await queryDatabase<{ last_decision: string; last_balance_sequence: string }>(
        topup.isolation.databaseUrl,
        `SELECT last_decision, last_balance_sequence::text FROM "${topup.isolation.schema('topup')}".auto_topup_settings WHERE account_id = $1`,
        [account],
      );
      expect(row?.last_balance_sequence).toBe(String(sequence));
      return row?.last_decision;
    });

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
    topup = await new TopUpHarness(stripe, env).start();
    current =
      Array.from({ length: 50 }, (_, i) => `acct_eur_${i}`).find(
        (account) => partitionOf(account) === partitionOf(retired),
      ) ?? '';
  });
  afterAll(async () => {
    await topup.stop();
    await stripe.stop();
  });

  it('the account in the old currency is reported disabled; the next account on its partition is charged', async () => {
    expect(current).not.toBe('');
    expect((await topup.deliver(setupSucceeded(stripe, retired))).status).toBe(200);
    await eventually(() =>
      expect(latestStatus(retired)).toMatchObject({ enabled: true, paid_currency: 'CHF' }),
    );

    env['TOPUP_PAID_CURRENCY'] = 'EUR';
    env['TOPUP_CREDIT_RATE'] = '0.9';
    await topup.restart();
    expect((await topup.deliver(setupSucceeded(stripe, current))).status).toBe(200);
    await eventually(() =>
      expect(latestStatus(current)).toMatchObject({ enabled: true, paid_currency: 'EUR' }),
    );

    await topup.balance(retired, 1, 2);
    await topup.balance(current, 1, 2);
    await eventually(() => expect(payments(current)).toHaveLength(1));
    expect(payments(current)[0]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
      credit_amount: '27.000000',
      paid_amount: '30.000000',
      paid_currency: 'EUR',
    });

    expect(await decided(retired, 1)).toBe('unsupported_currency');
    await eventually(() =>
      expect(latestStatus(retired)).toEqual({
        enabled: false,
        state: 'idle',
        pending_since: null,
        cooldown_until: null,
        month_auto_paid: '0.000000',
        monthly_limit: '300.000000',
        paid_currency: 'CHF',
      }),
    );
    expect(payments(retired)).toHaveLength(0);
    expect(await topup.send('topup.get-auto-topup', { account_id: retired })).toMatchObject({
      enabled: true,
      paid_currency: 'CHF',
      state: { enabled: false },
    });
  });
});
