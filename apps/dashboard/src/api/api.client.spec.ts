import { ApiClient, ApiError, accountPath, asPage, queryString, retryAfterMs } from './api.client';

describe('the API client', () => {
  it('builds query strings without empty values', () => {
    expect(queryString({ kind: 'usage', from: '', to: undefined, limit: 50 })).toBe(
      '?kind=usage&limit=50',
    );
    expect(queryString({})).toBe('');
    expect(queryString({ cursor: 'a&b=c' })).toBe('?cursor=a%26b%3Dc');
  });

  it('escapes account ids in paths', () => {
    expect(accountPath('a/../b?x', '/usage')).toBe('/v1/accounts/a%2F..%2Fb%3Fx/usage');
  });

  it('reads lists as pages', () => {
    expect(asPage([{ a: 1 }])).toEqual({ items: [{ a: 1 }], next_cursor: null });
    expect(asPage({ items: [], next_cursor: 'c2' })).toEqual({ items: [], next_cursor: 'c2' });
    expect(asPage({ something: 'else' })).toEqual({ items: [], next_cursor: null });
  });

  it('sends the bearer token and turns the error body into an ApiError', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const client = new ApiClient('tok_1', 'http://admin', async (url, init) => {
      calls.push({ url: String(url), init });
      return new Response(JSON.stringify({ error_code: 'ACCOUNT_NOT_FOUND', message: 'no' }), {
        status: 404,
      });
    });
    const refusal = await client.account('acct_x').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ status: 404, errorCode: 'ACCOUNT_NOT_FOUND', message: 'no' });
    expect(calls).toEqual([
      {
        url: 'http://admin/v1/accounts/acct_x',
        init: expect.objectContaining({
          method: 'GET',
          headers: expect.objectContaining({ authorization: 'Bearer tok_1' }),
        }),
      },
    ]);
  });

  it('names the status when the body is not JSON', async () => {
    const client = new ApiClient('t', '', async () => new Response('<html>', { status: 502 }));
    await expect(client.summary(30)).rejects.toMatchObject({ status: 502, errorCode: 'HTTP_502' });
  });

  it('posts a checkout with the amount as a string and where to come back', async () => {
    let sent: unknown;
    const client = new ApiClient('t', '', async (_url, init) => {
      sent = JSON.parse(String(init?.body));
      return new Response(JSON.stringify({ checkout_url: 'https://checkout.example/s' }), {
        status: 201,
      });
    });
    await expect(client.checkout('acct_1', '30', 'http://x/#/a')).resolves.toEqual({
      checkout_url: 'https://checkout.example/s',
    });
    expect(sent).toEqual({
      amount_paid: '30',
      success_url: 'http://x/#/a',
      cancel_url: 'http://x/#/a',
    });
  });

  it('waits as Retry-After asks when rate limited, then gives up with the 429', async () => {
    let calls = 0;
    const limited = () =>
      new Response(JSON.stringify({ error_code: 'RATE_LIMITED', message: 'slow down' }), {
        status: 429,
        headers: { 'retry-after': '0' },
      });
    const recovering = new ApiClient('t', '', async () => {
      calls += 1;
      return calls < 2 ? limited() : new Response('{"account_id":"a"}', { status: 200 });
    });
    await expect(recovering.account('a')).resolves.toEqual({ account_id: 'a' });
    calls = 0;
    const stubborn = new ApiClient('t', '', async () => {
      calls += 1;
      return limited();
    });
    await expect(stubborn.account('a')).rejects.toMatchObject({ status: 429 });
    expect(calls).toBe(3);
    expect(retryAfterMs(new Response('', { headers: { 'retry-after': '2' } }))).toBe(2000);
    expect(retryAfterMs(new Response(''))).toBe(1000);
  });

  it('says a 401 ends the session, and nothing else does', async () => {
    const ended: number[] = [];
    const answering = (status: number) =>
      new ApiClient(
        't',
        '',
        async () => new Response(JSON.stringify({ error_code: 'X', message: 'm' }), { status }),
        () => ended.push(status),
      );
    for (const status of [403, 404, 504, 401]) {
      await expect(answering(status).account('acct_1')).rejects.toMatchObject({ status });
    }
    expect(ended).toEqual([401]);
  });
});
