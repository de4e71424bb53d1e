import { maskStripeRef } from './stripe-ref';

describe('Stripe references as tenants see them', () => {
  it('keeps the object prefix and the last four characters', () => {
    expect(maskStripeRef('cs_test_a1b2c3d4e5f6')).toBe('cs_...e5f6');
    expect(maskStripeRef('pi_3NxYzAbCdEfGh')).toBe('pi_...EfGh');
  });

  it('shows only the last four of an untyped reference, nothing of a missing one', () => {
    expect(maskStripeRef('opaque-reference-1234')).toBe('...1234');
    expect(maskStripeRef(null)).toBeNull();
    expect(maskStripeRef('')).toBeNull();
  });
});
