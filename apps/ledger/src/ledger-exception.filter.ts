import { randomUUID } from 'node:crypto';
import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LedgerException, LedgerExceptionCode } from './ledger.exception';

const STATUS: Record<LedgerExceptionCode, number> = {
  [LedgerExceptionCode.UNAUTHORIZED]: 401,
  [LedgerExceptionCode.VALIDATION_FAILED]: 422,
  [LedgerExceptionCode.INVALID_AMOUNT]: 422,
  [LedgerExceptionCode.ACCOUNT_NOT_FOUND]: 404,
  [LedgerExceptionCode.RESERVATION_NOT_FOUND]: 404,
};

/** Ledger errors become `{ error_code, message }` with their status; anything else a 500 with an error id and no internals. */
@Catch()
export class LedgerExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(LedgerExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof LedgerException) {
      response
        .status(STATUS[exception.code])
        .send({ error_code: exception.code, message: exception.message });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code =
        status === 404
          ? 'NOT_FOUND'
          : status === 400 || status === 422
            ? LedgerExceptionCode.VALIDATION_FAILED
            : 'HTTP_ERROR';
      response
        .status(status === 400 ? 422 : status)
        .send({ error_code: code, message: exception.message });
      return;
    }
    const errorId = randomUUID();
    this.logger.error(
      `error ${errorId}: ${exception instanceof Error ? exception.stack : String(exception)}`,
    );
    response
      .status(500)
      .send({ error_code: 'INTERNAL_ERROR', message: `internal error ${errorId}` });
  }
}
