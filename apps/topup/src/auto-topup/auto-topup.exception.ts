import { ServiceException } from '@tally/platform';

export enum AutoTopUpExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  /** Auto top-up cannot be enabled before a setup session saved a customer and payment method. */
  AUTO_TOPUP_NO_PAYMENT_METHOD = 'AUTO_TOPUP_NO_PAYMENT_METHOD',
}

export class AutoTopUpException extends ServiceException<AutoTopUpExceptionCode> {}
