import { randomUUID } from 'node:crypto';
import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ServiceException } from './service.exception';
import type { ErrorBody } from './service.exception';

/** Codes of the framework's own refusals (Fastify's body limit, a rate limiter's 429, …). */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** The HTTP status of each code a service raises: one table per service, every code in it. */
export type HttpStatusOf<Code extends string> = Readonly<Record<Code, number>>;

/**
 * A table, or a function for a service that passes on codes it does not own (admin answers the
 * refusals of the services it commands); undefined makes the error a 500.
 */
export type HttpStatusRule = HttpStatusOf<string> | ((code: string) => number | undefined);

/**
 * Every HTTP error of a service as `{ error_code, message }`: a ServiceException with the
 * status its code maps to, Nest's own HTTP errors with theirs, anything else a 500 logged with
 * an error id and showing no internals.
 */
@Catch()
export class ServiceExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ServiceExceptionFilter.name);

  constructor(private readonly statusOf: HttpStatusRule) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.answer(exception);
    void response.status(status).send(body);
  }

  private answer(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof ServiceException) {
      const status =
        typeof this.statusOf === 'function'
          ? this.statusOf(exception.code)
          : this.statusOf[exception.code];
      if (status !== undefined) {
        return { status, body: { error_code: exception.code, message: exception.message } };
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404)
        return { status, body: { error_code: 'NOT_FOUND', message: exception.message } };
      if (status === 400 || status === 422) {
        return {
          status: 422,
          body: { error_code: 'VALIDATION_FAILED', message: exception.message },
        };
      }
      if (status < 500)
        return {
          status,
          body: { error_code: CODE_BY_STATUS[status] ?? 'HTTP_ERROR', message: exception.message },
        };
    }
    const errorId = randomUUID();
    this.logger.error(
      `error ${errorId}: ${exception instanceof Error ? exception.stack : String(exception)}`,
    );
    return {
      status: 500,
      body: { error_code: 'INTERNAL_ERROR', message: `internal error ${errorId}` },
    };
  }
}
