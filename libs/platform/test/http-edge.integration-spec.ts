import 'reflect-metadata';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import {
  Body,
  Controller,
  Get,
  Logger,
  NotFoundException,
  Param,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  EdgeRoute,
  Principal,
  createServiceApp,
  metricsRegistry,
  useBearerAuthentication,
} from '../src';

interface User {
  readonly id: string;
}

@Controller()
class ThingsController {
  @Post('things')
  @EdgeRoute({ bearer: true })
  create(@Body() body: unknown, @Principal() user: User) {
    return { user: user.id, body };
  }

  @Post('big')
  @EdgeRoute({ bearer: true, bodyLimitBytes: 2 * 1024 * 1024 })
  big(@Body() body: unknown) {
    return { received: typeof body };
  }

  @Post('limited')
  @EdgeRoute({ bearer: true, rateLimit: { max: 3, windowMs: 60_000 } })
  limited(@Principal() user: User) {
    return { user: user.id };
  }

  @Get('things/:id')
  show(@Param('id') id: string) {
    return { id };
  }

  @Get('missing')
  missing() {
    throw new NotFoundException('no such thing');
  }

  @Get('unhealthy')
  unhealthy() {
    // What terminus throws when a check fails.
    throw new ServiceUnavailableException({
      status: 'error',
      error: { kafka: { status: 'down', message: 'no answer within 3000 ms' } },
    });
  }

  @Get('boom')
  boom() {
    throw new Error('relation "secret_table" does not exist: SELECT * FROM secret_table');
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

const USERS: Record<string, User> = { 'good-token': { id: 'alice' }, 'other-token': { id: 'bob' } };

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

describe('the HTTP edge every service shares', () => {
  let app: NestFastifyApplication;
  let url: string;
  let port: number;
  const verified: string[] = [];
  const errors: string[] = [];

  const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : null,
    };
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    call(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer good-token',
        ...headers,
      },
      body,
    });
  const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
  const jsonBodiesRead = async () => {
    const metric = metricsRegistry.getSingleMetric('tally_http_json_bodies_total');
    const values = metric ? (await metric.get()).values : [];
    return values.reduce((sum, value) => sum + value.value, 0);
  };
  /** Raw bytes on a socket; resolves with what the server wrote before it closed. */
  const rawExchange = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('connect', () => socket.write(bytes));
      setTimeout(() => reject(new Error('no answer within 10 s')), 10_000).unref();
    });
  const errorBodyOf = (raw: string) =>
    JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as unknown;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      errors.push(String(message));
    });
    app = await createServiceApp(ThingsModule, ['error']);
    useBearerAuthentication<User>(app, {
      verify: async (token) => {
        verified.push(token);
        return USERS[token] ?? null;
      },
      keyOf: (user) => user.id,
      realm: 'things',
    });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app.close();
    jest.restoreAllMocks();
  });

  describe('authentication before the body', () => {
    it('answers a valid bearer token, and refuses a missing or unknown one with 401 and WWW-Authenticate', async () => {
      expect(await post('/things', '{"a":1}')).toMatchObject({
        status: 201,
        body: { user: 'alice', body: { a: 1 } },
      });
      const missing = await call('/things', { method: 'POST', body: '{}' });
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="things"');
      expect(missing.body).toEqual({
        error_code: 'UNAUTHORIZED',
        message: 'a valid bearer token is required (Authorization: Bearer <token>)',
      });
      const unknown = await post('/things', '{}', { authorization: 'Bearer nope' });
      expect(unknown.status).toBe(401);
      expect(unknown.headers.get('www-authenticate')).toBe(
        'Bearer realm="things", error="invalid_token"',
      );
    });

    // (Spaces around the whole value are not part of it in HTTP: Node drops them.)
    it('parses Authorization strictly: exactly "Bearer <token>"', async () => {
      for (const header of [
        'Bearer good-token extra',
        'Bearer  good-token',
        'Bearergood-token',
        'Basic good-token',
        'good-token',
        'Bearer ',
        'Bearer good-token,Bearer other-token',
        `Bearer ${'a'.repeat(600)}`,
      ]) {
        const answer = await post('/things', '{}', { authorization: header });
        expect({ header, status: answer.status }).toEqual({ header, status: 401 });
        expect(answer.body).toMatchObject({ error_code: 'UNAUTHORIZED' });
      }
      // The scheme is case-insensitive (RFC 7235).
      expect((await post('/things', '{}', { authorization: 'bearer good-token' })).status).toBe(
        201,
      );
      expect(verified).not.toContain('good-token extra');
    });

    it('answers 401 before reading a 1 MB body: the body is never sent, the parser never runs', async () => {
      const before = await jsonBodiesRead();
      const answers = await Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<{ status: number; bodySent: boolean }>((resolve, reject) => {
              // Headers only: the server must answer without the 1 MB it was promised.
              const request = httpRequest(`${url}/big`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'content-length': 1_040_000 },
              });
              request.on('response', (response) => {
                response.resume();
                resolve({ status: response.statusCode ?? 0, bodySent: false });
              });
              request.on('error', reject);
              request.flushHeaders();
            }),
        ),
      );
      expect(answers).toEqual(Array.from({ length: 20 }, () => ({ status: 401, bodySent: false })));
      expect(await jsonBodiesRead()).toBe(before);
      expect(await post('/things', '{"still":"served"}')).toMatchObject({ status: 201 });
    });
  });

  describe('body limits and JSON parsing', () => {
    it('refuses a body over 64 KB with 413, unless the route allows more', async () => {
      const big = JSON.stringify({ pad: 'x'.repeat(70 * 1024) });
      expect(await post('/things', big)).toMatchObject({
        status: 413,
        body: { error_code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
      });
      expect(await post('/big', big)).toMatchObject({ status: 201, body: { received: 'object' } });
    });

    it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
      const chunks = [
        JSON.stringify({ pad: 'x'.repeat(40 * 1024) }).slice(0, -2),
        'x'.repeat(40 * 1024),
        '"}',
      ];
      const answer = await call('/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer good-token' },
        body: new ReadableStream({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(answer).toMatchObject({ status: 413, body: { error_code: 'PAYLOAD_TOO_LARGE' } });
    });

    it('refuses nesting deeper than 32 levels at once, however deep the body goes', async () => {
      expect(await post('/things', nested(32))).toMatchObject({ status: 201 });
      expect(await post('/things', nested(33))).toEqual(
        expect.objectContaining({
          status: 422,
          body: {
            error_code: 'VALIDATION_FAILED',
            message: 'the body nests deeper than 32 levels (at character 32)',
          },
        }),
      );
      // 520,000 levels (about 1 MB): refused at the 33rd character, not after walking it.
      expect(await post('/big', nested(520_000))).toMatchObject({
        status: 422,
        body: { message: 'the body nests deeper than 32 levels (at character 32)' },
      });
    });

    it('refuses malformed JSON, a prototype key and a body that is not UTF-8 with 422', async () => {
      for (const body of [
        '{ not json',
        '{"a":1}}',
        '{"__proto__":{"admin":true}}',
        '{"\\u005f_proto__":1}',
      ]) {
        const answer = await post('/things', body);
        expect({ body, status: answer.status }).toEqual({ body, status: 422 });
        expect(answer.body).toMatchObject({ error_code: 'VALIDATION_FAILED' });
      }
      const latin1 = await call('/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer good-token' },
        body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]),
      });
      expect(latin1).toMatchObject({
        status: 422,
        body: { message: 'the body is not UTF-8 text' },
      });
    });

    it('refuses a body of another media type with 415', async () => {
      expect(
        await post('/things', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      ).toMatchObject({ status: 415, body: { error_code: 'UNSUPPORTED_MEDIA_TYPE' } });
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After once a principal used its limit; other principals go on', async () => {
      const limited = (token: string) =>
        call('/limited', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; i < 3; i += 1) expect((await limited('good-token')).status).toBe(201);
      const refused = await limited('good-token');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body).toEqual({
        error_code: 'RATE_LIMITED',
        message: expect.stringContaining('retry in'),
      });
      expect(await limited('other-token')).toMatchObject({ status: 201, body: { user: 'bob' } });
    });
  });

  describe('one error body, every response with the API headers', () => {
    it('puts nosniff, no-store and the JSON-API helmet headers on answers and refusals alike', async () => {
      for (const answer of [
        await call('/things/1'),
        await call('/things', { method: 'POST' }),
        await call('/nowhere'),
        await call('/boom'),
      ]) {
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('cache-control')).toBe('no-store');
        expect(answer.headers.get('content-security-policy')).toBe(
          "default-src 'none';frame-ancestors 'none'",
        );
        expect(answer.headers.get('x-frame-options')).toBe('DENY');
      }
    });

    it('answers an unknown route and a Nest HttpException with the error body', async () => {
      expect(await call('/nowhere')).toEqual(
        expect.objectContaining({
          status: 404,
          body: { error_code: 'NOT_FOUND', message: 'no route GET /nowhere' },
        }),
      );
      expect(await call('/missing')).toMatchObject({
        status: 404,
        body: { error_code: 'NOT_FOUND', message: 'no such thing' },
      });
      expect(await call('/unhealthy')).toMatchObject({
        status: 503,
        body: { error_code: 'SERVICE_UNAVAILABLE', message: 'down: kafka' },
      });
    });

    it('answers a 500 with an error id, logs the error, shows neither stack nor SQL', async () => {
      const answer = await call('/boom');
      expect(answer.status).toBe(500);
      const { message } = answer.body as { message: string };
      expect(answer.body).toEqual({
        error_code: 'INTERNAL_ERROR',
        message: expect.stringMatching(/^internal error [0-9a-f-]{36}$/),
      });
      const errorId = message.replace('internal error ', '');
      expect(errors.find((line) => line.includes(errorId))).toContain('SELECT * FROM secret_table');
    });

    it('refuses a NUL or another control character in a path parameter or query with 400, never a 500', async () => {
      for (const path of ['/things/%00', '/things/a%0Ab', '/things/1?q=%00']) {
        const answer = await call(path);
        expect({ path, status: answer.status }).toEqual({ path, status: 400 });
        expect(answer.body).toMatchObject({ error_code: 'BAD_REQUEST' });
      }
    });

    it('answers bad percent-encoding (400) and an over-long path parameter (414) with the error body', async () => {
      const badEncoding = await call('/things/%zz');
      expect(badEncoding).toMatchObject({ status: 400, body: { error_code: 'BAD_REQUEST' } });
      expect(badEncoding.headers.get('x-content-type-options')).toBe('nosniff');
      const tooLong = await call(`/things/${'a'.repeat(200)}`);
      expect(tooLong).toMatchObject({ status: 414, body: { error_code: 'URI_TOO_LONG' } });
      expect(tooLong.headers.get('cache-control')).toBe('no-store');
    });

    it("answers headers over 16 KB (431) and a request that is not HTTP (400) from Node's parser with the error body", async () => {
      const tooLarge = await rawExchange(
        `GET /things/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(tooLarge.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
      expect(tooLarge).toContain('x-content-type-options: nosniff');
      expect(errorBodyOf(tooLarge)).toEqual({
        error_code: 'HEADERS_TOO_LARGE',
        message: 'the request line and headers are larger than the server accepts',
      });
      const garbage = await rawExchange('HELLO THERE\r\n\r\n');
      expect(garbage.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(errorBodyOf(garbage)).toMatchObject({ error_code: 'BAD_REQUEST' });
    });
  });
});
