import { maskStripeRef } from './stripe-ref';

describe('Stripe references show their type and last four characters only', () => {
  it('keeps the object prefix and the last four characters', () => {
    expect(maskStripeRef('pi_3PxYz0123456789abcd')).toBe('pi_...abcd');
    expect(maskStripeRef('cs_test_a1B2c3D4e5F6wxyz')).toBe('cs_...wxyz');
    expect(maskStripeRef('cus_Q1w2E3r4T5y6')).toBe('cus_...T5y6');
  });

  it('shows only the last four of an untyped reference, nothing of a missing one', () => {
    expect(maskStripeRef('opaque-reference-1234')).toBe('...1234');
    expect(maskStripeRef(null)).toBeNull();
    expect(maskStripeRef('')).toBeNull();
  });
});
