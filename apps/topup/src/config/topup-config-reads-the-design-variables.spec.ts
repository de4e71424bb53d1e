import { topUpConfigFromEnv } from './topup.config';

describe('top-up configuration reads exactly the DESIGN 5 variables', () => {
  it('defaults: dry without a key, CHF at 10/30, auto top-up on, no live key', () => {
    const config = topUpConfigFromEnv({});
    expect(config).toMatchObject({
      port: 3002,
      dryRun: true,
      liveBlocked: false,
      autoEnabled: true,
      paidCurrency: 'CHF',
      stripe: { maxNetworkRetries: 2 },
    });
    expect([config.creditRate.credit.toFixed(), config.creditRate.paid.toFixed()]).toEqual([
      '10',
      '30',
    ]);
    expect(config.database.schema).toBe('topup');
    expect(config.recheckIntervalMs).toBe(60_000);
  });

  it('a test key with a local Stripe-compatible server', () => {
    const config = topUpConfigFromEnv({
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      TOPUP_PAID_CURRENCY: 'eur',
      TOPUP_CREDIT_RATE: '0.9',
      TOPUP_AUTO_ENABLED: 'false',
    });
    expect(config).toMatchObject({
      dryRun: false,
      liveBlocked: false,
      autoEnabled: false,
      paidCurrency: 'EUR',
      stripe: {
        secretKey: 'sk_test_x',
        webhookSecret: 'whsec_x',
        apiUrl: 'http://127.0.0.1:12111',
        maxNetworkRetries: 0,
      },
    });
    expect(config.creditRate.credit.toFixed()).toBe('0.9');
  });

  it('blocks a live key unless TOPUP_ALLOW_LIVE; TOPUP_DRY_RUN wins over a key', () => {
    expect(topUpConfigFromEnv({ STRIPE_SECRET_KEY: 'sk_live_x' }).liveBlocked).toBe(true);
    expect(topUpConfigFromEnv({ STRIPE_SECRET_KEY: 'rk_live_x' }).liveBlocked).toBe(true);
    expect(
      topUpConfigFromEnv({
        STRIPE_SECRET_KEY: 'sk_live_x',
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        TOPUP_ALLOW_LIVE: 'true',
      }).liveBlocked,
    ).toBe(false);
    expect(topUpConfigFromEnv({ STRIPE_SECRET_KEY: 'sk_test_x', TOPUP_DRY_RUN: '1' }).dryRun).toBe(
      true,
    );
  });

  it('refuses a Stripe key that charges without the webhook secret that credits checkouts (ADR 0114)', () => {
    expect(() => topUpConfigFromEnv({ STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(
      'STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY',
    );
    expect(() =>
      topUpConfigFromEnv({ STRIPE_SECRET_KEY: 'sk_live_x', TOPUP_ALLOW_LIVE: 'true' }),
    ).toThrow('STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY');
    // Nothing is charged dry or with a blocked live key: the secret may come later.
    expect(topUpConfigFromEnv({ STRIPE_SECRET_KEY: 'sk_test_x', TOPUP_DRY_RUN: '1' }).dryRun).toBe(
      true,
    );
    expect(topUpConfigFromEnv({ STRIPE_SECRET_KEY: 'sk_live_x' }).liveBlocked).toBe(true);
  });

  it('refuses what it cannot use, naming the variable', () => {
    expect(() => topUpConfigFromEnv({ TOPUP_CREDIT_RATE: '10/0' })).toThrow('TOPUP_CREDIT_RATE');
    expect(() => topUpConfigFromEnv({ TOPUP_PAID_CURRENCY: 'XYZ' })).toThrow('TOPUP_PAID_CURRENCY');
    expect(() => topUpConfigFromEnv({ TOPUP_DRY_RUN: 'maybe' })).toThrow('TOPUP_DRY_RUN');
    expect(() => topUpConfigFromEnv({ STRIPE_API_URL: 'ftp://x' })).toThrow('STRIPE_API_URL');
    expect(() => topUpConfigFromEnv({ TOPUP_MIN_PAID: '-1' })).toThrow('TOPUP_MIN_PAID');
    expect(() => topUpConfigFromEnv({ TOPUP_RECHECK_INTERVAL_MS: '0' })).toThrow(
      'TOPUP_RECHECK_INTERVAL_MS',
    );
  });

  it('a refused STRIPE_API_URL is named without the credentials it may hold', () => {
    const refusal = (url: string) => {
      try {
        topUpConfigFromEnv({ STRIPE_API_URL: url });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal('ftp://proxy:Pr0xy-pass@stripe-proxy.internal:8443/v1')).toBe(
      'STRIPE_API_URL must be http or https, got a ftp: URL',
    );
    expect(refusal('stripe-proxy:Pr0xy-pass@host')).not.toContain('Pr0xy-pass');
    expect(refusal('not a url Pr0xy-pass')).toBe(
      'STRIPE_API_URL must be a URL like http://127.0.0.1:12111, got text that is not a URL',
    );
  });

  it('refuses a largest checkout that would pay or credit more than one payment may (ADR 0096)', () => {
    expect(() => topUpConfigFromEnv({ TOPUP_MAX_PAID: '1000001' })).toThrow('TOPUP_MAX_PAID');
    expect(() =>
      topUpConfigFromEnv({ TOPUP_MAX_PAID: '1000', TOPUP_CREDIT_RATE: '1001/1' }),
    ).toThrow('TOPUP_CREDIT_RATE');
    expect(
      topUpConfigFromEnv({
        TOPUP_MAX_PAID: '1000',
        TOPUP_CREDIT_RATE: '1000/1',
      }).checkout.maxPaid.toFixed(),
    ).toBe('1000');
  });

  it('refuses a largest checkout Stripe cannot charge: more than eight digits of minor units', () => {
    // 1,000,000 CHF is 100000000 centimes; Stripe charges at most 99999999.
    expect(() =>
      topUpConfigFromEnv({ TOPUP_MAX_PAID: '1000000', TOPUP_CREDIT_RATE: '1/1' }),
    ).toThrow('TOPUP_MAX_PAID');
    expect(
      topUpConfigFromEnv({
        TOPUP_MAX_PAID: '999999.99',
        TOPUP_CREDIT_RATE: '1/1',
      }).checkout.maxPaid.toFixed(),
    ).toBe('999999.99');
    expect(() =>
      topUpConfigFromEnv({
        TOPUP_PAID_CURRENCY: 'BHD',
        TOPUP_MAX_PAID: '100000',
        TOPUP_CREDIT_RATE: '1/1',
      }),
    ).toThrow('TOPUP_MAX_PAID');
    expect(
      topUpConfigFromEnv({
        TOPUP_PAID_CURRENCY: 'JPY',
        TOPUP_MAX_PAID: '1000000',
        TOPUP_CREDIT_RATE: '1/1',
        // DESIGN's CHF packs and bounds are below what Stripe charges in yen (ADR 0159).
        TOPUP_MIN_PAID: '500',
        TOPUP_PACKS: '1500,4500,13500',
        TOPUP_AUTO_AMOUNT_PAID: '4500',
        TOPUP_AUTO_MONTHLY_LIMIT: '45000',
      }).checkout.maxPaid.toFixed(),
    ).toBe('1000000');
  });
});
