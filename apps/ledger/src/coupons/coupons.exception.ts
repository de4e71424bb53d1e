import { ServiceException } from '@tally/platform';

export enum CouponsExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  /** A coupon of this code exists with other terms. */
  COUPON_CONFLICT = 'COUPON_CONFLICT',
  COUPON_NOT_FOUND = 'COUPON_NOT_FOUND',
  COUPON_EXPIRED = 'COUPON_EXPIRED',
  COUPON_EXHAUSTED = 'COUPON_EXHAUSTED',
  COUPON_ALREADY_REDEEMED = 'COUPON_ALREADY_REDEEMED',
}

export class CouponsException extends ServiceException<CouponsExceptionCode> {}
