import { AdminHarness } from './admin.harness';

/** Every route admin serves, as the OpenAPI description names it. */
const ROUTES = [
  'post /v1/tokens',
  'get /v1/tokens',
  'delete /v1/tokens/{token_id}',
  'get /v1/accounts',
  'post /v1/accounts',
  'get /v1/accounts/{id}',
  'post /v1/accounts/{id}/api-keys',
  'get /v1/accounts/{id}/api-keys',
  'delete /v1/accounts/{id}/api-keys/{key_id}',
  'put /v1/accounts/{id}/budget',
  'put /v1/accounts/{id}/api-keys/{key_id}/budget',
  'get /v1/accounts/{id}/budget-status',
  'post /v1/accounts/{id}/credits',
  'get /v1/accounts/{id}/transactions',
  'get /v1/accounts/{id}/transactions.csv',
  'get /v1/accounts/{id}/usage',
  'get /v1/accounts/{id}/alerts',
  'get /v1/accounts/{id}/alert-deliveries',
  'get /v1/accounts/{id}/alert-channels',
  'put /v1/accounts/{id}/alert-channels',
  'get /v1/accounts/{id}/alert-channels/{channel_id}',
  'put /v1/accounts/{id}/alert-channels/{channel_id}',
  'delete /v1/accounts/{id}/alert-channels/{channel_id}',
  'post /v1/accounts/{id}/topups/checkout',
  'post /v1/accounts/{id}/topups/setup',
  'get /v1/accounts/{id}/topups',
  'get /v1/accounts/{id}/auto-topup',
  'put /v1/accounts/{id}/auto-topup',
  'get /v1/accounts/{id}/payments',
  'post /v1/accounts/{id}/coupons/redeem',
  'put /v1/accounts/{id}/plan',
  'get /v1/accounts/{id}/monthly-cap',
  'put /v1/accounts/{id}/monthly-cap',
  'delete /v1/accounts/{id}/monthly-cap',
  'post /v1/coupons',
  'get /v1/plans',
  'put /v1/plans',
  'get /v1/plans/{name}',
  'put /v1/plans/{name}',
  'get /v1/analytics/summary',
  'get /v1/analytics/top-spenders',
  'get /v1/analytics/distribution',
  'get /v1/dead-letters',
  'get /health',
  'get /metrics',
];

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>
  >;
  components: { securitySchemes: Record<string, unknown> };
}

describe('OpenAPI description, dashboard, health and metrics', () => {
  const harness = new AdminHarness({}, []);

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('lists every route at /docs-json, without a token', async () => {
    const answer = await harness.call<OpenApi>('GET', '/docs-json', { token: null });
    expect(answer.status).toBe(200);
    const listed = Object.entries(answer.body.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(listed.sort()).toEqual([...ROUTES].sort());
    expect(answer.body.components.securitySchemes).toHaveProperty('bearer');
    const credits = answer.body.paths['/v1/accounts/{id}/credits']?.['post'];
    expect(JSON.stringify(credits?.requestBody)).toContain('idempotency_key');
    const usage = answer.body.paths['/v1/accounts/{id}/usage']?.['get'];
    expect(usage?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:id',
      'query:from',
      'query:group_by',
      'query:to',
    ]);
  });

  it('describes a dry run answer, and limits as the services behind admin take them', async () => {
    const answer = await harness.call<OpenApi>('GET', '/docs-json', { token: null });
    // A dry run answers checkout_url and session_id null (topup's checkout).
    const checkout = JSON.stringify(
      answer.body.paths['/v1/accounts/{id}/topups/checkout']?.['post'],
    );
    expect(checkout).toContain('"checkout_url":{"nullable":true,"type":"string"}');
    const setup = JSON.stringify(answer.body.paths['/v1/accounts/{id}/topups/setup']?.['post']);
    expect(setup).toContain('"session_id":{"nullable":true,"type":"string"}');
    expect(setup).toContain('"dry_run"');

    // Topup answers at most 200 history items, alerting takes whole percents from 1 to 100:
    // admin refuses more itself, naming the field, instead of passing on what they refuse.
    const history = await harness.call('GET', '/v1/accounts/acct_docs/topups?limit=201');
    expect([history.status, history.body['error_code'], history.body['message']]).toEqual([
      422,
      'VALIDATION_FAILED',
      expect.stringMatching(/^query: limit/),
    ]);
    for (const percent of [50.5, 150]) {
      const channel = await harness.call('PUT', '/v1/accounts/acct_docs/alert-channels', {
        body: {
          type: 'webhook',
          url: 'https://hooks.example.com/t',
          custom_thresholds: [{ percent }],
        },
      });
      expect([percent, channel.status, channel.body['message']]).toEqual([
        percent,
        422,
        expect.stringMatching(/^body: custom_thresholds/),
      ]);
    }
  });

  it('serves the interactive docs at /docs', async () => {
    const docs = await fetch(`${harness.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
  });

  it('serves the dashboard at / without a token', async () => {
    const page = await fetch(`${harness.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<div id="root"></div>');
  });

  it('answers /health and /metrics', async () => {
    const health = await fetch(`${harness.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, kafka: { status: 'up' } },
    });
    await harness.call('GET', '/v1/accounts', { token: 'tat_wrong' });
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metrics).toContain('tally_http_edge_refusals_total{reason="unauthenticated"}');
    expect(metrics).toContain('tally_http_request_duration_seconds_bucket');
    expect(metrics).toContain('tally_consumer_messages_total');
  });
});
