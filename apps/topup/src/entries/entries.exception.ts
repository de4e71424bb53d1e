import { ServiceException } from '@tally/platform';

export enum EntriesExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
}

export class EntriesException extends ServiceException<EntriesExceptionCode> {}
