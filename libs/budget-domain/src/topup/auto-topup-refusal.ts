import type { AutoTopUpState } from '../events/topup-status-changed';

/** What an authorization refused for want of funds answers instead of BUDGET_EXHAUSTED. */
export type AutoTopUpRefusalCode =
  'AUTO_TOPUP_PENDING' | 'AUTO_TOPUP_MONTHLY_LIMIT_REACHED' | 'AUTO_TOPUP_NO_PAYMENT_METHOD';

/**
 * Why the account is out of funds when its auto top-up explains it (DESIGN 3.6): a charge in
 * flight, the monthly automatic limit reached, or no payment method to charge. Other states
 * (idle, cooldown, paused) leave the refusal a bare BUDGET_EXHAUSTED.
 */
export function autoTopUpRefusal(
  state: AutoTopUpState,
): { errorCode: AutoTopUpRefusalCode; message: string } | undefined {
  switch (state) {
    case 'pending':
      return {
        errorCode: 'AUTO_TOPUP_PENDING',
        message:
          'the account is out of funds and an automatic top-up is being charged: retry shortly, or send wait_ms to wait for its credit',
      };
    case 'monthly_limit_reached':
      return {
        errorCode: 'AUTO_TOPUP_MONTHLY_LIMIT_REACHED',
        message:
          'the account is out of funds and automatic top-ups reached their monthly limit; a manual top-up still works',
      };
    case 'no_payment_method':
      return {
        errorCode: 'AUTO_TOPUP_NO_PAYMENT_METHOD',
        message:
          'the account is out of funds and automatic top-up has no payment method to charge; add one, or top up manually',
      };
    case 'idle':
    case 'paused':
    case 'cooldown':
      return undefined;
  }
}
