import { ServiceException } from '@tally/platform';

export enum TokensExceptionCode {
  TOKEN_NOT_FOUND = 'TOKEN_NOT_FOUND',
}

export class TokensException extends ServiceException<TokensExceptionCode> {}
