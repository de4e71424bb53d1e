import { ServiceException } from '@tally/platform';

export enum CheckoutExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
}

export class CheckoutException extends ServiceException<CheckoutExceptionCode> {}
