import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { queryDatabase, scrapeMetrics } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { LedgerHarness } from './ledger.harness';

/** The ledger's HTTP API behind the shared edge (ADR 0024), on the real database and broker. */
describe('the ledger HTTP edge', () => {
  const ledger = new LedgerHarness();
  const account = 'acct_edge';
  let secret: string;
  let burstSecret: string;
  let burstKeyId: string;

  const authorize = (body: string, authorization = `Bearer ${secret}`) =>
    fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
    });
  const jsonBodiesRead = async () =>
    [...(await scrapeMetrics(ledger.url)).entries()]
      .filter(([sample]) => sample.startsWith('tally_http_json_bodies_total'))
      .reduce((sum, [, value]) => sum + value, 0);
  const holdsOf = async (apiKeyId: string) =>
    (
      await queryDatabase<{ holds: string }>(
        ledger.isolation.databaseUrl,
        `SELECT count(*)::text AS holds FROM "${ledger.isolation.schema('ledger')}".reservations WHERE api_key_id = $1`,
        [apiKeyId],
      )
    )[0]!.holds;
  const expectApiHeaders = (response: Response) => {
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
  };

  beforeAll(async () => {
    await ledger.start();
    const accounts = ledger.get(AccountsService);
    await accounts.createAccount({ accountId: account, name: 'Edge Ltd.' });
    secret = (await ledger.createApiKey(account, 'gateway')).secret;
    ({ secret: burstSecret, api_key_id: burstKeyId } = await ledger.createApiKey(account, 'burst'));
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '100.00',
      kind: 'grant',
      reason: 'edge tests',
      idempotencyKey: 'edge-1',
    });
  });
  afterAll(() => ledger.stop());

  it('answers 20 unauthenticated 1 MB bodies without reading them, and a valid authorization beside them', async () => {
    const deeplyNested = 520_000;
    const before = await jsonBodiesRead();
    const unauthenticated = Array.from(
      { length: 20 },
      (_, i) =>
        new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
          // Headers announce 1 MB of nested brackets; the body itself is only ever sent after
          // an answer, so an answer proves the ledger did not wait for it.
          const request = httpRequest(`${ledger.url}/v1/authorizations`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': 2 * deeplyNested,
              ...(i % 2 === 0 ? { authorization: 'Bearer tly_key_0000000000000000_forged' } : {}),
            },
          });
          request.on('response', (response) => {
            response.resume();
            resolve({
              status: response.statusCode ?? 0,
              challenge: response.headers['www-authenticate'],
            });
          });
          request.on('error', reject);
          request.flushHeaders();
        }),
    );
    const valid = authorize(JSON.stringify({ estimated_cost: '0.10' }));
    const answers = await Promise.all(unauthenticated);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(401));
    expect(
      answers.every((answer) => answer.challenge?.startsWith('Bearer realm="tally-ledger"')),
    ).toBe(true);
    expect((await valid).status).toBe(201);
    // The one body parsed is the valid authorization's.
    expect(await jsonBodiesRead()).toBe(before + 1);
  });

  it('a burst of 2,000 authorizations from one key meets 429 with Retry-After; another key of the account goes on', async () => {
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 2000 }, () =>
        authorize(
          JSON.stringify({ estimated_cost: '0.01', ttl_seconds: 60 }),
          `Bearer ${burstSecret}`,
        ),
      ),
    );
    const windows = Math.ceil((Date.now() - started) / 10_000);
    const limited = responses.filter((response) => response.status === 429);
    const served = responses.filter(
      (response) => response.status === 201 || response.status === 402,
    );
    expect(limited.length + served.length).toBe(2000);
    // The default limit: 1,000 requests per key in a 10 s window.
    expect(served.length).toBeLessThanOrEqual(1000 * windows);
    expect(limited.length).toBeGreaterThanOrEqual(2000 - 1000 * windows);
    expect(limited.length).toBeGreaterThan(0);
    for (const response of limited.slice(0, 20)) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expectApiHeaders(response);
      expect(await response.json()).toEqual({
        error_code: 'RATE_LIMITED',
        message: expect.stringContaining('retry in'),
      });
    }
    // Every request the limit let through was decided; none of the refused ones held anything.
    expect(Number(await holdsOf(burstKeyId))).toBe(
      served.filter((response) => response.status === 201).length,
    );
    const other = await authorize(JSON.stringify({ estimated_cost: '0.01' }));
    expect(other.status).toBe(201);
    expect(other.headers.get('x-ratelimit-remaining')).toEqual(expect.any(String));
  });

  it('parses Authorization strictly: the secret followed by anything is refused', async () => {
    for (const header of [
      `Bearer ${secret} extra`,
      `Bearer  ${secret}`,
      `Basic ${secret}`,
      secret,
      `Bearer ${secret},Bearer ${secret}`,
    ]) {
      const response = await authorize(JSON.stringify({ estimated_cost: '0.01' }), header);
      expect({ header, status: response.status }).toEqual({ header, status: 401 });
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer realm="tally-ledger", error="invalid_token"',
      );
      expect(await response.json()).toEqual({
        error_code: 'UNAUTHORIZED',
        message: 'a valid API key is required (Authorization: Bearer <secret>)',
      });
    }
  });

  it('puts nosniff and no-store on every answer: 201, 401, 404, 422', async () => {
    const created = await authorize(JSON.stringify({ estimated_cost: '0.01' }));
    expect(created.status).toBe(201);
    expectApiHeaders(created);
    const unauthenticated = await authorize('{}', 'Bearer nope');
    expect(unauthenticated.status).toBe(401);
    expectApiHeaders(unauthenticated);
    const unknown = await fetch(`${ledger.url}/v1/nothing-here`);
    expect(unknown.status).toBe(404);
    expectApiHeaders(unknown);
    const malformed = await authorize('{ not json');
    expect(malformed.status).toBe(422);
    expectApiHeaders(malformed);
  });

  it("answers Fastify's and Node's own errors with { error_code, message }", async () => {
    const bodyOf = async (response: Response) => ({
      status: response.status,
      body: await response.json(),
    });
    const withKey = { authorization: `Bearer ${secret}` };
    expect(await bodyOf(await fetch(`${ledger.url}/v1/nothing-here`))).toEqual({
      status: 404,
      body: { error_code: 'NOT_FOUND', message: 'no route GET /v1/nothing-here' },
    });
    expect(
      await bodyOf(
        await fetch(`${ledger.url}/v1/authorizations/%zz`, { method: 'DELETE', headers: withKey }),
      ),
    ).toMatchObject({ status: 400, body: { error_code: 'BAD_REQUEST' } });
    expect(
      await bodyOf(
        await fetch(`${ledger.url}/v1/authorizations/${'r'.repeat(300)}`, {
          method: 'DELETE',
          headers: withKey,
        }),
      ),
    ).toMatchObject({ status: 414, body: { error_code: 'URI_TOO_LONG' } });
    // A NUL in the path parameter reached PostgreSQL and answered 500.
    expect(
      await bodyOf(
        await fetch(`${ledger.url}/v1/authorizations/%00`, { method: 'DELETE', headers: withKey }),
      ),
    ).toMatchObject({ status: 400, body: { error_code: 'BAD_REQUEST' } });
    expect(
      await bodyOf(
        await authorize(JSON.stringify({ estimated_cost: '0.01', pad: 'x'.repeat(70_000) })),
      ),
    ).toMatchObject({ status: 413, body: { error_code: 'PAYLOAD_TOO_LARGE' } });
    expect(
      await bodyOf(
        await fetch(`${ledger.url}/v1/authorizations`, {
          method: 'POST',
          headers: { ...withKey, 'content-type': 'text/xml' },
          body: '<cost>1</cost>',
        }),
      ),
    ).toMatchObject({ status: 415, body: { error_code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await bodyOf(await authorize('['.repeat(40) + ']'.repeat(40)))).toEqual({
      status: 422,
      body: {
        error_code: 'VALIDATION_FAILED',
        message: 'the body nests deeper than 32 levels (at character 32)',
      },
    });
    const headersTooLarge = await new Promise<string>((resolve) => {
      const port = new URL(ledger.url).port;
      const socket = connect(Number(port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('connect', () =>
        socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      );
    });
    expect(headersTooLarge.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(
      JSON.parse(headersTooLarge.slice(headersTooLarge.indexOf('\r\n\r\n') + 4)),
    ).toMatchObject({
      error_code: 'HEADERS_TOO_LARGE',
    });
  });
});
