import { ServiceException } from '@tally/platform';

export enum DeliveriesExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  INVALID_CURSOR = 'INVALID_CURSOR',
}

export class DeliveriesException extends ServiceException<DeliveriesExceptionCode> {}
