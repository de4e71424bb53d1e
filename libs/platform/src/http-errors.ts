import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  DATABASE_UNAVAILABLE,
  DATABASE_UNAVAILABLE_MESSAGE,
  databaseUnavailable,
} from './database-unavailable';

/** The one error body of every HTTP answer that is not a success. */
export interface ErrorBody {
  readonly error_code: string;
  readonly message: string;
}

/** A refusal by the HTTP edge itself (authentication, limits, parsing), with its status and code. */
export class HttpEdgeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpEdgeError';
  }
}

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

export function errorCodeOf(status: number): string {
  return CODE_BY_STATUS[status] ?? `HTTP_${status}`;
}

const logger = new Logger('HttpEdge');

/**
 * The status and body of any error: the edge's own, Fastify's (they carry a 4xx
 * `statusCode`), Nest's HttpException (a failed /health is a 503 naming what is down); a
 * database down or too slow for now is a 503 the caller may retry (ADR 0180); anything else is
 * a 500 whose body names an error id and whose stack (SQL included) goes only to the log.
 */
export function describeHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpEdgeError) {
    return {
      status: error.statusCode,
      body: { error_code: error.errorCode, message: error.message },
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { error_code: errorCodeOf(status), message: messageOf(error) } };
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (error instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error_code: errorCodeOf(status), message: shorten(error.message) } };
  }
  if (databaseUnavailable(error)) {
    logger.warn(`database unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return {
      status: 503,
      body: { error_code: DATABASE_UNAVAILABLE, message: DATABASE_UNAVAILABLE_MESSAGE },
    };
  }
  const errorId = randomUUID();
  logger.error(
    `error ${errorId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return {
    status: 500,
    body: { error_code: 'INTERNAL_ERROR', message: `internal error ${errorId}` },
  };
}

export function sendHttpError(reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = describeHttpError(error);
  // The dependency's outage is usually short: a client may try again after a second.
  if (body.error_code === DATABASE_UNAVAILABLE) void reply.header('retry-after', '1');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Route errors of services without a filter of their own answer the same error body. */
@Catch()
export class HttpEdgeExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendHttpError(host.switchToHttp().getResponse<FastifyReply>(), exception);
  }
}

/** Headers every answer carries, set by hand where Fastify's hooks never ran. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * Fastify's router errors (`frameworkErrors`): a path that is not valid percent-encoding
 * (400), a path parameter longer than the router's limit (414). No hook has run for them.
 */
export function answerFrameworkError(
  error: Error & { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [status, message] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'a path parameter is longer than the server accepts']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'the URL is not valid percent-encoded UTF-8']
        : [500, undefined];
  void reply.headers(BASE_HEADERS);
  if (message === undefined) {
    void sendHttpError(reply, error);
    return;
  }
  void sendHttpError(reply, new HttpEdgeError(status, errorCodeOf(status), message));
}

/**
 * Node's HTTP parser refuses a request before Fastify sees it: headers (the request line
 * included) beyond 16 KB, a malformed request, a client too slow. The answer is written on the
 * socket, in the same error body, and the connection closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request line and headers are larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request took too long to arrive']
        : [400, 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ error_code: errorCodeOf(status), message } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        Object.entries(BASE_HEADERS)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}

/** An HttpException's own message, or the checks a terminus health answer reports down. */
function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  const failed = (response as { error?: unknown } | null)?.error;
  if (typeof failed === 'object' && failed !== null && Object.keys(failed).length > 0) {
    return shorten(`down: ${Object.keys(failed).join(', ')}`);
  }
  return shorten(exception.message);
}

/** Error text fit for a body: one line, at most 200 characters. */
function shorten(message: string): string {
  const line = message.replace(/\s+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
