import { ServiceException } from '@tally/platform';

export enum AlertsExceptionCode {
  CHANNEL_NOT_FOUND = 'CHANNEL_NOT_FOUND',
}

export class AlertsException extends ServiceException<AlertsExceptionCode> {}
