import helmet from '@fastify/helmet';
import { HttpException } from '@nestjs/common';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { counter } from '@tally/platform';
import type { Principal, PrincipalRequest } from '../access/principal';
import type { AdminHttpConfig } from '../config/admin.config';

/** Turns a bearer token into its principal; null when it is unknown or revoked. */
export type VerifyToken = (token: string) => Promise<Principal | null>;

/** `Bearer <token>`: one space, RFC 6750 token characters, nothing after them. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]{1,512}=*)$/i;

const refusals = counter(
  'tally_admin_edge_refusals_total',
  'Requests admin answered before a handler ran, by reason',
  ['reason'],
);

/**
 * The dashboard's page and the API docs load scripts and styles from this origin only; API
 * answers are JSON, which no browser renders as a page.
 */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Admin's HTTP edge, installed before its routes exist. Per request: security headers; on
 * `/v1` the bearer token, checked before one byte of the body is read (401 with
 * `WWW-Authenticate`); the rate limit of the token (of the client address without one: 429
 * with `Retry-After`); then the body, at most `bodyLimitBytes` (413). Errors answer the error
 * body through the app's exception filter.
 */
export async function installAdminEdge(
  app: NestFastifyApplication,
  config: AdminHttpConfig,
  verify: VerifyToken,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('principal', null);
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit = config.bodyLimitBytes;
  });
  fastify.addHook('onRequest', async (request: PrincipalRequest, reply) => {
    if (!request.url.startsWith('/v1/')) return undefined;
    void reply.header('cache-control', 'no-store');
    const header = request.headers.authorization;
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const principal = token === undefined ? null : await verify(token);
    if (principal) {
      request.principal = principal;
      return undefined;
    }
    return unauthorized(request, reply, header !== undefined);
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: (request: PrincipalRequest) =>
      request.principal ? `token:${request.principal.tokenId}` : `ip:${request.ip}`,
    // Thrown from the hook to the app's exception filter, which answers the error body (the
    // Retry-After header is already on the reply).
    errorResponseBuilder: (_request, context) => {
      refusals.inc({ reason: 'rate_limited' });
      return new HttpException(
        `more than ${context.max} requests in this window; retry in ${context.after}`,
        context.statusCode,
      );
    },
  });
  // The API takes JSON only: a text body is refused (415), not handed to a route as a string.
  fastify.removeContentTypeParser('text/plain');
}

function unauthorized(
  request: FastifyRequest,
  reply: FastifyReply,
  tokenGiven: boolean,
): FastifyReply {
  refusals.inc({ reason: 'unauthenticated' });
  // The body a client may still be sending is not read: the connection closes after the answer.
  if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding']) {
    void reply.header('connection', 'close');
  }
  return reply
    .code(401)
    .header(
      'www-authenticate',
      tokenGiven ? 'Bearer realm="tally", error="invalid_token"' : 'Bearer realm="tally"',
    )
    .type('application/json; charset=utf-8')
    .send({
      error_code: 'UNAUTHORIZED',
      message: 'a valid bearer token is required (Authorization: Bearer <token>)',
    });
}
