import { ServiceException } from '@tally/platform';

export enum ApiKeysExceptionCode {
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
}

export class ApiKeysException extends ServiceException<ApiKeysExceptionCode> {}
