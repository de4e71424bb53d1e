import { stripeMinimumCharge } from './stripe-minimum-charge';
import { topUpConfigFromEnv } from './topup.config';

/** A yen deployment as the zero-decimal integration test runs it: bounds, rate and its own packs. */
const YEN = {
  TOPUP_PAID_CURRENCY: 'JPY',
  TOPUP_CREDIT_RATE: '10/1500',
  TOPUP_MIN_PAID: '500',
  TOPUP_MAX_PAID: '150000',
  TOPUP_PACKS: '1500,4500,13500',
  TOPUP_AUTO_AMOUNT_PAID: '4500',
  TOPUP_AUTO_MONTHLY_LIMIT: '45000',
};
const amountsOf = (env: NodeJS.ProcessEnv) => {
  const config = topUpConfigFromEnv(env);
  return {
    packs: Object.fromEntries(
      Object.entries(config.checkout.packs).map(([name, amount]) => [name, amount.toFixed()]),
    ),
    auto: [config.autoDefaults.amountPaid.toFixed(), config.autoDefaults.monthlyLimit.toFixed()],
  };
};

// DESIGN's packs (10, 30, 90) and auto top-up (30, limit 300) are CHF figures: in yen they are
// a few cents each, below what Stripe charges at all (50 JPY), and every such checkout or
// automatic charge failed at Stripe.
describe('packs and auto top-up defaults are amounts Stripe can charge in the paid currency', () => {
  it('CHF keeps DESIGN 4 figures', () => {
    expect(amountsOf({})).toEqual({
      packs: { small: '10', standard: '30', large: '90' },
      auto: ['30', '300'],
    });
  });

  it('a yen deployment names its own packs and auto top-up amount and limit', () => {
    expect(amountsOf(YEN)).toEqual({
      packs: { small: '1500', standard: '4500', large: '13500' },
      auto: ['4500', '45000'],
    });
  });

  it('yen with the CHF defaults does not start: 5 yen is below the 50 Stripe charges at least', () => {
    expect(() => topUpConfigFromEnv({ TOPUP_PAID_CURRENCY: 'JPY' })).toThrow(
      'TOPUP_MIN_PAID: 5 JPY (TOPUP_PAID_CURRENCY=JPY) is below 50 JPY, the least Stripe charges',
    );
    expect(() =>
      topUpConfigFromEnv({ TOPUP_PAID_CURRENCY: 'GBP', TOPUP_MIN_PAID: '0.29' }),
    ).toThrow('TOPUP_MIN_PAID: 0.29 GBP (TOPUP_PAID_CURRENCY=GBP) is below 0.30 GBP');
    expect(
      topUpConfigFromEnv({
        TOPUP_PAID_CURRENCY: 'GBP',
        TOPUP_MIN_PAID: '0.30',
      }).checkout.minPaid.toFixed(),
    ).toBe('0.3');
  });

  it("Stripe's minimum charges are its currency guide's, in every paid currency it lists (ADR 0174)", () => {
    const currencies = ['USD', 'EUR', 'CHF', 'GBP', 'CAD', 'AUD', 'BRL', 'INR', 'DKK', 'NOK'];
    expect(
      [...currencies, 'SEK', 'PLN', 'JPY', 'KRW', 'CLP', 'BHD', 'KWD', 'JOD'].map(
        (currency) => `${currency} ${stripeMinimumCharge(currency)?.text ?? 'none listed'}`,
      ),
    ).toEqual([
      'USD 0.50',
      'EUR 0.50',
      'CHF 0.50',
      'GBP 0.30',
      'CAD 0.50',
      'AUD 0.50',
      'BRL 0.50',
      'INR 0.50',
      'DKK 2.50',
      'NOK 3.00',
      'SEK 3.00',
      'PLN 2.00',
      'JPY 50',
      'KRW none listed',
      'CLP none listed',
      'BHD none listed',
      'KWD none listed',
      'JOD none listed',
    ]);
    expect(() =>
      topUpConfigFromEnv({ TOPUP_PAID_CURRENCY: 'NOK', TOPUP_MIN_PAID: '2.99' }),
    ).toThrow('TOPUP_MIN_PAID: 2.99 NOK (TOPUP_PAID_CURRENCY=NOK) is below 3.00 NOK');
  });

  it('a pack or the auto top-up amount outside the checkout bounds does not start', () => {
    const { TOPUP_PACKS: _packs, ...yenWithDefaultPacks } = YEN;
    expect(() => topUpConfigFromEnv(yenWithDefaultPacks)).toThrow(
      'TOPUP_PACKS: the small pack of 10 JPY is outside TOPUP_MIN_PAID..TOPUP_MAX_PAID (500 to 150000 JPY)',
    );
    expect(() => topUpConfigFromEnv({ ...YEN, TOPUP_PACKS: '1500,4500,200000' })).toThrow(
      'TOPUP_PACKS: the large pack of 200000 JPY is outside',
    );
    expect(() => topUpConfigFromEnv({ ...YEN, TOPUP_AUTO_AMOUNT_PAID: '30' })).toThrow(
      'TOPUP_AUTO_AMOUNT_PAID: 30 JPY is outside TOPUP_MIN_PAID..TOPUP_MAX_PAID (500 to 150000 JPY)',
    );
    expect(() => topUpConfigFromEnv({ ...YEN, TOPUP_AUTO_MONTHLY_LIMIT: '4000' })).toThrow(
      'TOPUP_AUTO_MONTHLY_LIMIT: 4000 JPY is below TOPUP_AUTO_AMOUNT_PAID (4500 JPY): no automatic top-up could ever be made',
    );
  });

  it('packs are three amounts in the currency’s chargeable decimals', () => {
    for (const packs of ['1500,4500', '1500,4500,13500,40500', 'a,b,c', '1500.5,4500,13500', ' ']) {
      expect(() => topUpConfigFromEnv({ ...YEN, TOPUP_PACKS: packs })).toThrow('TOPUP_PACKS');
    }
    expect(() =>
      topUpConfigFromEnv({ TOPUP_PAID_CURRENCY: 'BHD', TOPUP_PACKS: '10.005,30,90' }),
    ).toThrow('TOPUP_PACKS');
    expect(amountsOf({ TOPUP_PAID_CURRENCY: 'BHD', TOPUP_PACKS: '10.01, 30, 90' }).packs).toEqual({
      small: '10.01',
      standard: '30',
      large: '90',
    });
  });
});
