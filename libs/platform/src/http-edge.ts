import { Logger, createParamDecorator } from '@nestjs/common';
import type { ExecutionContext, INestApplication } from '@nestjs/common';
import { FastifyAdapter, RouteConfig } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from '@fastify/helmet';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { counter } from './metrics';
import type { HttpEdgeConfig } from './http-edge.config';
import {
  BASE_HEADERS,
  HttpEdgeError,
  answerClientError,
  answerFrameworkError,
  errorCodeOf,
  sendHttpError,
} from './http-errors';
import { JsonTextError, parseJsonText } from './json-text';

/** What a route asks of the edge beyond the app's defaults. */
export interface EdgeRouteOptions {
  /** A bearer token the app's authentication accepts, checked before the body is read. */
  readonly bearer?: boolean;
  /** Largest body of this route, in bytes. */
  readonly bodyLimitBytes?: number;
  /** This route's own rate limit, or none. */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number } | false;
}

/** How an app turns a bearer token into the principal calling it (admin: tokens; ledger: API keys). */
export interface BearerAuthentication<P> {
  /** The principal of a token, or null when the token is unknown or revoked. */
  verify(token: string): Promise<P | null>;
  /** The principal's rate-limit key (e.g. its API key id). */
  keyOf(principal: P): string;
  /** The realm named in `WWW-Authenticate`. */
  readonly realm?: string;
  /** The message of a 401. */
  readonly message?: string;
}

const EDGE_ROUTE = 'tallyEdge';
const EDGE_ROUTE_METADATA = 'tally:edge-route';
/** Nest's METHOD_METADATA: present on every route handler. */
const NEST_ROUTE_METHOD = 'method';

/**
 * Declares what a route (or every route of a controller) asks of the edge:
 * `@EdgeRoute({ bearer: true })`, `@EdgeRoute({ bodyLimitBytes: 1_048_576 })`. A method's own
 * options replace its controller's.
 */
export function EdgeRoute(options: EdgeRouteOptions): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      markRoute(descriptor.value as object, options);
      return;
    }
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function' || !Reflect.hasMetadata(NEST_ROUTE_METHOD, handler))
        continue;
      if (!Reflect.hasMetadata(EDGE_ROUTE_METADATA, handler)) markRoute(handler, options);
    }
  };
}

function markRoute(handler: object, options: EdgeRouteOptions): void {
  Reflect.defineMetadata(EDGE_ROUTE_METADATA, options, handler);
  const rateLimitConfig =
    options.rateLimit === undefined
      ? {}
      : {
          rateLimit:
            options.rateLimit === false
              ? false
              : { max: options.rateLimit.max, timeWindow: options.rateLimit.windowMs },
        };
  RouteConfig({ [EDGE_ROUTE]: options, ...rateLimitConfig })(handler, '', { value: handler });
}

/** The principal the edge authenticated for this request. */
export function principalOf<P>(request: FastifyRequest): P {
  const principal = (request as FastifyRequest & { principal: unknown }).principal;
  if (principal === null || principal === undefined) {
    throw new Error(
      `${request.method} ${request.routeOptions.url} is not an @EdgeRoute({ bearer: true })`,
    );
  }
  return principal as P;
}

/** Handler parameter: the principal the edge authenticated (the route needs `bearer: true`). */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  principalOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

interface EdgeState {
  authentication: BearerAuthentication<unknown> | undefined;
}

const edges = new WeakMap<FastifyInstance, EdgeState>();
const logger = new Logger('HttpEdge');

const refusals = counter(
  'tally_http_edge_refusals_total',
  'Requests the HTTP edge answered itself before a handler ran, by reason',
  ['reason'],
);
const jsonBodies = counter(
  'tally_http_json_bodies_total',
  'JSON request bodies the edge read, by outcome (parsed, too_deep, invalid_json, forbidden_key, not_utf8)',
  ['outcome'],
);

/**
 * The adapter of every service: Fastify's own errors (body too large, unsupported media type,
 * bad JSON, a route that does not exist) answer the error body instead of going through Nest,
 * whose handlers would give them another shape in services without a filter of their own.
 */
export class EdgeFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    return this.getInstance().setErrorHandler((error, _request, reply) =>
      sendHttpError(reply, error),
    );
  }

  override setNotFoundHandler(): ReturnType<FastifyAdapter['setNotFoundHandler']> {
    return this.getInstance().setNotFoundHandler((request, reply) =>
      sendHttpError(
        reply,
        new HttpEdgeError(404, 'NOT_FOUND', `no route ${request.method} ${shortPath(request.url)}`),
      ),
    );
  }
}

/** The adapter with the edge's server options: body limit, router and HTTP-parser errors. */
export function createEdgeAdapter(config: HttpEdgeConfig): EdgeFastifyAdapter {
  return new EdgeFastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
}

/** The headers of a JSON API: no content sniffing, no framing, no referrer, no caching. */
const API_HELMET: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  xFrameOptions: { action: 'deny' },
};

/**
 * The headers @fastify/helmet sets with these options, read once from a throwaway instance.
 * The plugin itself rebuilds helmet's middleware on every request (its options, its CSP
 * string) and sets each header on the raw response; constant headers cost one object spread.
 */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const probe = Fastify();
  await probe.register(helmet, options);
  probe.get('/', (_request, reply) => reply.send(''));
  const response = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (HTTP_OWN_HEADERS.has(name) || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

/** Headers of the probe's answer that are not helmet's. */
const HTTP_OWN_HEADERS = new Set([
  'content-length',
  'content-type',
  'date',
  'connection',
  'keep-alive',
]);

/**
 * Installs the edge on a service's Fastify instance, before its routes exist. Per request, in
 * order: security headers and `Cache-Control: no-store`; path and query values without control
 * characters; on `bearer` routes the token, before one byte of the body is read (401 with
 * `WWW-Authenticate`); the rate limit of the principal (or of the client IP on other routes,
 * 429 with `Retry-After`); then the body, within its size limit (413) and parsed without
 * recursion beyond `jsonMaxDepth` levels (422).
 */
export async function installHttpEdge(
  app: NestFastifyApplication,
  config: HttpEdgeConfig,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const state: EdgeState = { authentication: undefined };
  edges.set(fastify, state);
  fastify.decorateRequest('principal', null);
  fastify.decorateRequest('rawBody', null);

  const headers = { ...(await helmetHeaders(config.helmet ?? API_HELMET)), ...BASE_HEADERS };
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.headers(headers);
    const badValue = controlCharacterIn(request.params) ?? controlCharacterIn(request.query);
    if (badValue) {
      return refuse(reply, request, 'bad_url', 400, `"${badValue}" holds a control character`);
    }
    const route = request.routeOptions.config as { [EDGE_ROUTE]?: EdgeRouteOptions } | undefined;
    if (!route?.[EDGE_ROUTE]?.bearer) return undefined;
    return authenticate(state, request, reply);
  });
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { [EDGE_ROUTE]?: EdgeRouteOptions } | undefined)?.[EDGE_ROUTE]
      ?.bodyLimitBytes;
    if (limit !== undefined) route.bodyLimit = limit;
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: (request) => {
      const principal = (request as FastifyRequest & { principal: unknown }).principal;
      return principal !== null && state.authentication
        ? `principal:${state.authentication.keyOf(principal)}`
        : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => {
      refusals.inc({ reason: 'rate_limited' });
      return new HttpEdgeError(
        context.statusCode,
        errorCodeOf(context.statusCode),
        `more than ${context.max} requests in this window; retry in ${context.after}`,
      );
    },
  });

  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    (request as FastifyRequest & { rawBody: Buffer }).rawBody = raw;
    if (raw.length === 0) {
      done(null, undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      jsonBodies.inc({ outcome: 'not_utf8' });
      done(new HttpEdgeError(422, 'VALIDATION_FAILED', 'the body is not UTF-8 text'), undefined);
      return;
    }
    try {
      const parsed = parseJsonText(text, config.jsonMaxDepth);
      jsonBodies.inc({ outcome: 'parsed' });
      done(null, parsed);
    } catch (error) {
      if (!(error instanceof JsonTextError)) throw error;
      jsonBodies.inc({ outcome: error.problem });
      done(new HttpEdgeError(422, 'VALIDATION_FAILED', `the body ${error.message}`), undefined);
    }
  });
}

/**
 * Tells the edge how the app authenticates bearer tokens (the ledger: API key secrets; admin:
 * its tokens). Until it is called, `bearer` routes answer 503.
 */
export function useBearerAuthentication<P>(
  app: INestApplication,
  authentication: BearerAuthentication<P>,
): void {
  const state = edges.get(app.getHttpAdapter().getInstance() as FastifyInstance);
  if (!state) throw new Error('the app has no HTTP edge: create it with createServiceApp');
  state.authentication = authentication as BearerAuthentication<unknown>;
}

/** `Bearer <token>`: one space, a token of RFC 6750 characters, nothing after it. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]{1,512}=*)$/i;

/** Whether a token can be sent as `Bearer <token>` at all (RFC 6750 characters, 1 to 512). */
export function isBearerToken(token: string): boolean {
  return BEARER.test(`Bearer ${token}`);
}

async function authenticate(
  state: EdgeState,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const authentication = state.authentication;
  if (!authentication) {
    logger.error(`${request.routeOptions.url} needs a bearer token but no authentication is set`);
    return refuse(reply, request, 'no_authentication', 503, 'authentication is not ready');
  }
  const header = request.headers.authorization;
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  const principal = token === undefined ? null : await authentication.verify(token);
  if (principal === null || principal === undefined) {
    const realm = authentication.realm ?? 'tally';
    void reply.header(
      'www-authenticate',
      header === undefined
        ? `Bearer realm="${realm}"`
        : `Bearer realm="${realm}", error="invalid_token"`,
    );
    return refuse(
      reply,
      request,
      'unauthenticated',
      401,
      authentication.message ?? 'a valid bearer token is required (Authorization: Bearer <token>)',
    );
  }
  (request as FastifyRequest & { principal: unknown }).principal = principal;
  return undefined;
}

/** Answers from a hook. A body the client may still be sending is not read: the connection closes. */
function refuse(
  reply: FastifyReply,
  request: FastifyRequest,
  reason: string,
  status: number,
  message: string,
): FastifyReply {
  refusals.inc({ reason });
  if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding']) {
    void reply.header('connection', 'close');
  }
  return sendHttpError(reply, new HttpEdgeError(status, errorCodeOf(status), message));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A C0 control character, DEL, or half of a surrogate pair without its other half. */
function holdsControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i += 1;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** The name of the first path parameter or query value with a control character or lone surrogate. */
function controlCharacterIn(values: unknown): string | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  for (const [name, value] of Object.entries(values)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((text) => typeof text === 'string' && holdsControlCharacter(text)))
      return shortPath(name);
  }
  return undefined;
}

function shortPath(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
