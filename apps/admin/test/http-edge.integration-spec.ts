import { DEFAULT_HTTP_EDGE_CONFIG } from '@tally/platform';
import { AdminHarness, BOOTSTRAP_TOKEN } from './admin.harness';

/** Text that breaks naive SQL, HTML and template code: stored and answered as it was sent. */
const HOSTILE_TEXTS = [
  `<script>alert("x")</script>`,
  `'; DROP TABLE accounts; --`,
  `" OR 1=1 --`,
  `<img src=x onerror=alert(1)>`,
  `{{constructor.constructor('alert(1)')()}}`,
  '${jndi:ldap://example.com/a}',
  `../../etc/passwd`,
  `Robert'); DELETE FROM tokens;-- 💸`,
];

const INTERNALS =
  /postgres:\/\/|SELECT |INSERT |\.ts:\d+|at [A-Za-z]+ \(|node_modules|QueryFailedError/;

describe('admin HTTP edge: headers, limits, hostile input, rate limits', () => {
  // The edge's own limits, as in production: 64 KB bodies, 1,000 requests per token per 10 s.
  const harness = new AdminHarness({}, ['ledger'], {});

  beforeAll(async () => {
    await harness.start();
    const created = await harness.call('POST', '/v1/accounts', {
      body: { account_id: 'acct_edge', name: 'Edge' },
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => harness.stop());

  it('sends security headers on API answers and on the dashboard', async () => {
    for (const answer of [
      await harness.call('GET', '/v1/accounts/acct_edge'),
      await harness.call('GET', '/', { token: null }),
    ]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect((await harness.call('GET', '/v1/accounts/acct_edge')).headers.get('cache-control')).toBe(
      'no-store',
    );
  });

  it('refuses bodies over 64 KB with 413, and checks the token before reading any', async () => {
    const big = { account_id: 'acct_big', name: 'x'.repeat(70 * 1024) };
    const tooLarge = await harness.call('POST', '/v1/accounts', { body: big });
    expect([tooLarge.status, tooLarge.body['error_code']]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const anonymous = await harness.call('POST', '/v1/accounts', { token: null, body: big });
    expect([anonymous.status, anonymous.body['error_code']]).toEqual([401, 'UNAUTHORIZED']);
    const fits = await harness.call('POST', '/v1/accounts', {
      body: { account_id: 'acct_fits', name: 'y'.repeat(150) },
    });
    expect(fits.status).toBe(201);
  });

  it('answers malformed requests with the error body and no internals', async () => {
    const cases: Array<[string, string, Parameters<AdminHarness['call']>[2], number, string]> = [
      ['POST', '/v1/accounts', { body: '{"account_id": "a", ' }, 422, 'VALIDATION_FAILED'],
      [
        'POST',
        '/v1/accounts',
        { body: '<a/>', headers: { 'content-type': 'application/xml' } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'POST',
        '/v1/accounts',
        { body: 'x', headers: { 'content-type': 'text/plain' } },
        422,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/v1/accounts',
        { body: { account_id: 'a b', name: 'n' } },
        422,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/v1/accounts',
        { body: { account_id: 'a', name: 'n', extra: 1 } },
        422,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/v1/accounts',
        { body: { account_id: 'a', name: 'a\u0000b' } },
        422,
        'VALIDATION_FAILED',
      ],
      ['GET', '/v1/accounts?cursor=not-a-cursor', {}, 422, 'VALIDATION_FAILED'],
      ['GET', '/v1/accounts?limit=0', {}, 422, 'VALIDATION_FAILED'],
      ['GET', '/v1/accounts?limit=1.5', {}, 422, 'VALIDATION_FAILED'],
      ['GET', '/v1/accounts/acct_edge/transactions?from=2026-02-30', {}, 422, 'VALIDATION_FAILED'],
      [
        'GET',
        '/v1/accounts/acct_edge/transactions?kind=usage%27%20OR%201%3D1',
        {},
        422,
        'VALIDATION_FAILED',
      ],
      ['GET', '/v1/analytics/top-spenders?limit=-1', {}, 422, 'VALIDATION_FAILED'],
      ['GET', '/v1/analytics/top-spenders?days=abc', {}, 422, 'VALIDATION_FAILED'],
      ['GET', '/v1/no-such-route', {}, 404, 'NOT_FOUND'],
      ['GET', '/v1/accounts/acct_edge', { token: 'x', headers: {} }, 401, 'UNAUTHORIZED'],
    ];
    for (const [method, route, options, status, code] of cases) {
      const answer = await harness.call(method, route, options);
      expect([method, route, answer.status, answer.body?.['error_code']]).toEqual([
        method,
        route,
        status,
        code,
      ]);
      expect(Object.keys(answer.body).sort()).toEqual(['error_code', 'message']);
      expect(answer.text).not.toMatch(INTERNALS);
    }
  });

  it('reads a count in the query as plain decimal digits: hex, exponents, signs, spaces are 422', async () => {
    const routes = ['/v1/accounts?limit=', '/v1/analytics/top-spenders?days='];
    for (const route of routes) {
      for (const value of ['0x10', '1e1', '+5', '%205', '5%20', 'Infinity', '-0', '0b11']) {
        const answer = await harness.call('GET', `${route}${value}`);
        expect([route, value, answer.status, answer.body?.['error_code']]).toEqual([
          route,
          value,
          422,
          'VALIDATION_FAILED',
        ]);
      }
      expect((await harness.call('GET', `${route}16`)).status).toBe(200);
    }
  });

  it('refuses query fields of a list answered whole, which takes none, with 422', async () => {
    const routes = [
      '/v1/plans?limit=0',
      '/v1/plans?bogus=1',
      '/v1/accounts/acct_edge/alert-channels?limit=0',
      '/v1/accounts/acct_edge/alert-channels?bogus=1',
    ];
    const answers: unknown[] = [];
    for (const route of routes) {
      const answer = await harness.call('GET', route);
      answers.push([route, answer.status, answer.body?.['error_code']]);
    }
    expect(answers).toEqual(routes.map((route) => [route, 422, 'VALIDATION_FAILED']));
  });

  it('refuses an api-key cursor whose created_at is not an instant with 422, not a 500', async () => {
    const cursor = Buffer.from(JSON.stringify({ created_at: 'x', api_key_id: 'k' })).toString(
      'base64url',
    );
    const answer = await harness.call('GET', `/v1/accounts/acct_edge/api-keys?cursor=${cursor}`);
    expect([answer.status, answer.body?.['error_code']]).toEqual([422, 'VALIDATION_FAILED']);
  });

  it('refuses a cursor holding a NUL character with 422, not a 500', async () => {
    const cursor = (position: unknown) =>
      Buffer.from(JSON.stringify(position)).toString('base64url');
    for (const route of [
      `/v1/accounts?cursor=${cursor('a\u0000')}`,
      `/v1/tokens?cursor=${cursor('a\u0000')}`,
      `/v1/accounts/acct_edge/transactions?cursor=${cursor({
        posted_at: '2026-12-06T10:00:00.000Z',
        transaction_id: 'a\u0000',
      })}`,
    ]) {
      const answer = await harness.call('GET', route);
      expect([route, answer.status, answer.body?.['error_code']]).toEqual([
        route,
        422,
        'VALIDATION_FAILED',
      ]);
    }
  });

  it('refuses a usage range in year 0000 with 422, not a 500', async () => {
    const answer = await harness.call('GET', '/v1/accounts/acct_edge/usage?from=0000-01-01');
    expect([answer.status, answer.body?.['error_code']]).toEqual([422, 'VALIDATION_FAILED']);
  });

  it('refuses a usage range bound longer than an instant with 422, not a 500', async () => {
    for (const bound of ['from', 'to']) {
      const answer = await harness.call(
        'GET',
        `/v1/accounts/acct_edge/usage?group_by=day&${bound}=${'9'.repeat(41)}`,
      );
      expect([bound, answer.status, answer.body?.['error_code']]).toEqual([
        bound,
        422,
        'VALIDATION_FAILED',
      ]);
    }
  });

  it('refuses a monthly cap that is not a decimal string with 422, not a 500', async () => {
    for (const cap of ['', 'ten', '1,5']) {
      const answer = await harness.call('PUT', '/v1/accounts/acct_edge/monthly-cap', {
        body: { monthly_cap: cap },
      });
      expect([cap, answer.status, answer.body?.['error_code']]).toEqual([
        cap,
        422,
        'VALIDATION_FAILED',
      ]);
    }
  });

  it('reads the bearer token strictly', async () => {
    const withHeader = (authorization: string) =>
      harness.call('GET', '/v1/accounts/acct_edge', { token: null, headers: { authorization } });
    expect((await withHeader(`Bearer ${BOOTSTRAP_TOKEN}`)).status).toBe(200);
    expect((await withHeader(`bearer ${BOOTSTRAP_TOKEN}`)).status).toBe(200);
    for (const header of [
      `Bearer  ${BOOTSTRAP_TOKEN}`,
      `Bearer ${BOOTSTRAP_TOKEN} extra`,
      `Basic ${BOOTSTRAP_TOKEN}`,
      BOOTSTRAP_TOKEN,
      'Bearer ',
    ]) {
      const answer = await withHeader(header);
      expect([header, answer.status]).toEqual([header, 401]);
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('stores and answers injection and markup verbatim in every text field', async () => {
    for (const [index, text] of HOSTILE_TEXTS.entries()) {
      const accountId = `acct_hostile_${index}`;
      const account = await harness.call('POST', '/v1/accounts', {
        body: { account_id: accountId, name: text },
      });
      expect([account.status, account.body['name']]).toEqual([201, text]);
      expect((await harness.call('GET', `/v1/accounts/${accountId}`)).body['name']).toBe(text);

      const key = await harness.call('POST', `/v1/accounts/${accountId}/api-keys`, {
        body: { name: text },
      });
      expect(key.status).toBe(201);
      const keys = await harness.call<{ items: Array<{ name: string }> }>(
        'GET',
        `/v1/accounts/${accountId}/api-keys`,
      );
      expect(keys.body.items.map((item) => item.name)).toEqual([text]);

      const token = await harness.call<{ token_id: string }>('POST', '/v1/tokens', {
        body: { role: 'tenant', account_id: accountId, name: text },
      });
      expect(token.status).toBe(201);
      const revoked = await harness.call('DELETE', `/v1/tokens/${token.body.token_id}`);
      expect(revoked.body['name']).toBe(text);

      const credit = { amount: '1.00', kind: 'grant', reason: text, idempotency_key: text };
      const first = await harness.call('POST', `/v1/accounts/${accountId}/credits`, {
        body: credit,
      });
      expect(first.status).toBe(201);
      // The reason and key were stored as sent: the same text replays, one character more does not.
      const replay = await harness.call('POST', `/v1/accounts/${accountId}/credits`, {
        body: credit,
      });
      expect([replay.status, replay.body]).toEqual([200, first.body]);
      const changed = await harness.call('POST', `/v1/accounts/${accountId}/credits`, {
        body: { ...credit, reason: `${text} ` },
      });
      expect(changed.status).toBe(409);
    }
    const listed = await harness.call<{ items: Array<{ account_id: string; name: string }> }>(
      'GET',
      '/v1/accounts?limit=500',
    );
    const names = new Map(listed.body.items.map((item) => [item.account_id, item.name]));
    HOSTILE_TEXTS.forEach((text, index) => expect(names.get(`acct_hostile_${index}`)).toBe(text));
    expect(listed.headers.get('content-type')).toContain('application/json');
  });

  it('meets a burst of 2,000 requests from one token with 429s and stays healthy', async () => {
    const tenant = (
      await harness.call<{ token: string }>('POST', '/v1/tokens', {
        body: { role: 'tenant', account_id: 'acct_edge', name: 'burst' },
      })
    ).body.token;
    const statuses = new Map<number, number>();
    const retryAfter = new Set<string | null>();
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < 2000) {
        next += 1;
        const answer = await harness.call('GET', '/v1/accounts/acct_edge/transactions', {
          token: tenant,
        });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 429) {
          retryAfter.add(answer.headers.get('retry-after'));
          expect(answer.body['error_code']).toBe('RATE_LIMITED');
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const elapsedMs = Date.now() - started;
    expect([...statuses.keys()].sort()).toEqual([200, 429]);
    expect((statuses.get(200) ?? 0) + (statuses.get(429) ?? 0)).toBe(2000);
    // One window holds 1,000 requests of a token; when the burst took less than one, exactly
    // the second thousand was refused.
    if (elapsedMs < DEFAULT_HTTP_EDGE_CONFIG.rateLimitWindowMs - 500) {
      expect(Object.fromEntries(statuses)).toEqual({ 200: 1000, 429: 1000 });
    }
    expect(statuses.get(429)).toBeGreaterThan(0);
    for (const value of retryAfter) expect(Number(value)).toBeGreaterThan(0);
    // The service is healthy, and another token is not held back by this one's burst.
    const health = await fetch(`${harness.url}/health`);
    expect(health.status).toBe(200);
    expect((await harness.call('GET', '/v1/accounts/acct_edge')).status).toBe(200);
  });
});
