import { ServiceException } from '@tally/platform';

export enum PlansExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  PLAN_NOT_FOUND = 'PLAN_NOT_FOUND',
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
}

export class PlansException extends ServiceException<PlansExceptionCode> {}
