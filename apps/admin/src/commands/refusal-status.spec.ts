import { refusalStatus } from './commands.exception';

describe('the HTTP status of a refusal another service replied', () => {
  it.each([
    ['ACCOUNT_NOT_FOUND', 404],
    ['API_KEY_NOT_FOUND', 404],
    ['CHANNEL_NOT_FOUND', 404],
    ['API_KEY_CONFLICT', 409],
    ['IDEMPOTENCY_KEY_REUSED', 409],
    ['AUTO_TOPUP_NO_PAYMENT_METHOD', 409],
    ['LIVE_TOPUP_BLOCKED', 409],
    ['TOO_MANY_CHANNELS', 409],
    ['PLAN_NOT_FOUND', 404],
    ['COUPON_NOT_FOUND', 404],
    ['COUPON_CONFLICT', 409],
    ['COUPON_ALREADY_REDEEMED', 409],
    ['COUPON_EXHAUSTED', 409],
    ['COUPON_EXPIRED', 409],
    ['STRIPE_UNAVAILABLE', 503],
    ['VALIDATION_FAILED', 422],
    ['INVALID_AMOUNT', 422],
    ['URL_NOT_ALLOWED', 422],
    ['SOMETHING_NEW', 422],
  ])('%s is %i', (code, status) => {
    expect(refusalStatus(code)).toBe(status);
  });
});
