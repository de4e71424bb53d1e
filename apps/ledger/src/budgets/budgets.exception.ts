import { ServiceException } from '@tally/platform';

export enum BudgetsExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
}

export class BudgetsException extends ServiceException<BudgetsExceptionCode> {}
