import { createRequire } from 'node:module';
import { eventually } from '@tally/testing';
import { topUpAgainstFakeStripe } from './topup.harness';

const murmur2 = createRequire(require.resolve('kafkajs'))(
  './src/producer/partitioners/default/murmur2',
) as (key: string) => number;
/** The partition kafkajs' default partitioner gives a key among the harness's 3. */
const partitionOf = (key: string) => (murmur2(key) & 0x7fffffff) % 3;

/**
 * An operator changes TOPUP_PAID_CURRENCY while accounts keep settings in the old one, for
 * which there is no credit rate any more: such an account cannot be topped up automatically,
 * and says so, while every other account (on its partition too) is still served.
 */
describe('auto top-up settings in a paid currency the service no longer has stop only their account', () => {
  const retired = 'acct_chf_saved';
  let current = '';
  const env: Record<string, string> = {};
  const { topup } = topUpAgainstFakeStripe(env);

  beforeAll(async () => {
    current =
      Array.from({ length: 50 }, (_, i) => `acct_eur_${i}`).find(
        (account) => partitionOf(account) === partitionOf(retired),
      ) ?? '';
  });

  it('the account in the old currency is reported disabled; the next account on its partition is charged', async () => {
    expect(current).not.toBe('');
    expect((await topup.deliver(topup.setupSucceeded(retired))).status).toBe(200);
    await eventually(() =>
      expect(topup.latestStatusOf(retired)).toMatchObject({ enabled: true, paid_currency: 'CHF' }),
    );

    env['TOPUP_PAID_CURRENCY'] = 'EUR';
    env['TOPUP_CREDIT_RATE'] = '0.9';
    await topup.restart();
    expect((await topup.deliver(topup.setupSucceeded(current))).status).toBe(200);
    await eventually(() =>
      expect(topup.latestStatusOf(current)).toMatchObject({ enabled: true, paid_currency: 'EUR' }),
    );

    await topup.balance(retired, 1, 2);
    await topup.balance(current, 1, 2);
    await eventually(() => expect(topup.paymentsOf(current)).toHaveLength(1));
    expect(topup.paymentsOf(current)[0]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
      credit_amount: '27.000000',
      paid_amount: '30.000000',
      paid_currency: 'EUR',
    });

    expect(await topup.decided(retired, 1)).toBe('unsupported_currency');
    await eventually(() =>
      expect(topup.latestStatusOf(retired)).toEqual({
        enabled: false,
        state: 'idle',
        pending_since: null,
        cooldown_until: null,
        month_auto_paid: '0.000000',
        monthly_limit: '300.000000',
        paid_currency: 'CHF',
      }),
    );
    expect(topup.paymentsOf(retired)).toHaveLength(0);
    expect(await topup.autoTopUpSettings(retired)).toMatchObject({
      enabled: true,
      paid_currency: 'CHF',
      state: { enabled: false },
    });
  });
});
