import { ServiceException } from '@tally/platform';

export enum ChannelsExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  INVALID_URL = 'INVALID_URL',
  URL_NOT_ALLOWED = 'URL_NOT_ALLOWED',
  INVALID_EMAIL = 'INVALID_EMAIL',
  EMAIL_NOT_CONFIGURED = 'EMAIL_NOT_CONFIGURED',
  CHANNEL_NOT_FOUND = 'CHANNEL_NOT_FOUND',
  TOO_MANY_CHANNELS = 'TOO_MANY_CHANNELS',
}

export class ChannelsException extends ServiceException<ChannelsExceptionCode> {}
