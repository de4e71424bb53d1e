import { maskStripeRef } from './stripe-ref';

describe('Stripe references as tenants see them', () => {
  it('keeps the type and the last four characters', () => {
    expect(maskStripeRef('cs_test_a1b2c3d4e5f6')).toBe('cs_test_…e5f6');
    expect(maskStripeRef('pi_3NxYzAbCdEfGh')).toBe('pi_…EfGh');
  });

  it('shows nothing of a short or untyped reference but its last four', () => {
    expect(maskStripeRef('pi_abc')).toBe('pi_…');
    expect(maskStripeRef('opaque-reference-1234')).toBe('…1234');
    expect(maskStripeRef(null)).toBeNull();
  });
});
