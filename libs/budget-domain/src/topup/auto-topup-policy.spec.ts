import { Decimal } from 'decimal.js';
import { AUTO_TOPUP_DEFAULTS, decideAutoTopUp } from './auto-topup-policy';
import type { AutoTopUpFacts } from './auto-topup-policy';
import { UnsupportedCurrencyError, creditForPayment } from './credit-rate';

const now = new Date('2026-11-22T10:00:00Z');
const settings = { ...AUTO_TOPUP_DEFAULTS, enabled: true };
const ready: AutoTopUpFacts = {
  hasCustomer: true,
  hasPaymentMethod: true,
  autoChargedThisMonth: new Decimal(0),
  pendingTopUp: false,
  paused: false,
};
const below = new Decimal('4');

describe('auto top-up policy', () => {
  it('charges the pack (30 CHF for 10.00 credit) when available falls below 5 %', () => {
    const decision = decideAutoTopUp(settings, ready, below, now);
    expect(decision.decision).toBe('charge');
    if (decision.decision === 'charge') {
      expect([
        decision.amount.toFixed(),
        decision.currency,
        decision.creditAmount.toFixed(),
      ]).toEqual(['30', 'CHF', '10']);
    }
  });

  it.each([
    ['above_trigger', settings, ready, new Decimal('5')],
    ['disabled', AUTO_TOPUP_DEFAULTS, ready, below],
    ['paused', settings, { ...ready, paused: true }, below],
    ['no_payment_method', settings, { ...ready, hasPaymentMethod: false }, below],
    ['no_payment_method', settings, { ...ready, hasCustomer: false }, below],
    ['pending', settings, { ...ready, pendingTopUp: true }, below],
    [
      'cooldown',
      settings,
      { ...ready, lastSuccessfulAutoTopUpAt: new Date('2026-11-21T10:00:01Z') },
      below,
    ],
    [
      'monthly_limit_reached',
      settings,
      { ...ready, autoChargedThisMonth: new Decimal('271') },
      below,
    ],
  ] as const)('refuses with exactly one reason: %s', (reason, settingsUsed, facts, percent) => {
    expect(decideAutoTopUp(settingsUsed, facts, percent, now)).toEqual({
      decision: 'refuse',
      reason,
    });
  });

  it('charges again once 24 h have passed and while the monthly limit has room for the pack', () => {
    const facts = {
      ...ready,
      lastSuccessfulAutoTopUpAt: new Date('2026-11-21T10:00:00Z'),
      autoChargedThisMonth: new Decimal('270'),
    };
    expect(decideAutoTopUp(settings, facts, below, now).decision).toBe('charge');
  });
});

describe('credit per payment', () => {
  it('30 CHF buys 10.00 USD of credit, proportionally, rounded half-even to the cent', () => {
    expect(creditForPayment(new Decimal('30'), 'CHF').toFixed(2)).toBe('10.00');
    expect(creditForPayment(new Decimal('45'), 'CHF').toFixed(2)).toBe('15.00');
    expect(creditForPayment(new Decimal('0.15'), 'CHF').toFixed(2)).toBe('0.05');
    expect(creditForPayment(new Decimal('10'), 'CHF').toFixed(2)).toBe('3.33');
    expect(() => creditForPayment(new Decimal('10'), 'EUR')).toThrow(UnsupportedCurrencyError);
  });
});
