import { Catch } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HttpEdgeError, sendHttpError } from './http-errors';
import { ServiceException } from './service.exception';

/** The HTTP status of each code a service raises: one table per service, every code in it. */
export type HttpStatusOf<Code extends string> = Readonly<Record<Code, number>>;

/**
 * A table, or a function for a service that passes on codes it does not own (admin answers the
 * refusals of the services it commands); undefined makes the error a 500.
 */
export type HttpStatusRule = HttpStatusOf<string> | ((code: string) => number | undefined);

/**
 * A service's HTTP errors: a ServiceException answers with the status its code maps to;
 * everything else as the edge answers it (its own refusals, Nest's and Fastify's errors, a 500
 * with an error id and no internals), in the same `{ error_code, message }` body.
 */
@Catch()
export class ServiceExceptionFilter implements ExceptionFilter {
  constructor(private readonly statusOf: HttpStatusRule) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status =
      exception instanceof ServiceException ? this.statusFor(exception.code) : undefined;
    const known =
      exception instanceof ServiceException && status !== undefined
        ? new HttpEdgeError(status, exception.code, exception.message)
        : exception;
    void sendHttpError(reply, known);
  }

  private statusFor(code: string): number | undefined {
    return typeof this.statusOf === 'function' ? this.statusOf(code) : this.statusOf[code];
  }
}
