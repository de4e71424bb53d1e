import { maskStripeRef, redactStripeText, stripeIdOf } from './stripe-refs';

describe('Stripe references', () => {
  it('are masked to their prefix and last four characters', () => {
    expect(maskStripeRef('pi_3PxYz0123456789abcd')).toBe('pi_...abcd');
    expect(maskStripeRef('cs_test_a1B2c3D4e5F6wxyz')).toBe('cs_...wxyz');
    expect(maskStripeRef('cus_Q1w2E3r4T5y6')).toBe('cus_...T5y6');
    expect(maskStripeRef(null)).toBeNull();
  });

  it('normalise a payment method given as an id, an expanded object or a JSON string to its id', () => {
    expect(stripeIdOf('pm_1abc')).toBe('pm_1abc');
    expect(stripeIdOf({ id: 'pm_1abc', object: 'payment_method', card: { last4: '4242' } })).toBe(
      'pm_1abc',
    );
    expect(stripeIdOf('{"id":"pm_1abc","object":"payment_method"}')).toBe('pm_1abc');
    expect(stripeIdOf('{not json')).toBeNull();
    expect(stripeIdOf(null)).toBeNull();
    expect(stripeIdOf({ object: 'payment_method' })).toBeNull();
    expect(stripeIdOf('')).toBeNull();
  });

  it('leave no payment method id or key in a logged text', () => {
    const logged = redactStripeText(
      "No such PaymentMethod: 'pm_1NdFakeFakeFake9876'; key sk_test_51Habcdef and whsec_abcdef123",
    );
    expect(logged).not.toContain('pm_1NdFakeFakeFake9876');
    expect(logged).toContain('pm_...9876');
    expect(logged).not.toContain('sk_test_51Habcdef');
    expect(logged).not.toContain('whsec_abcdef123');
  });
});
