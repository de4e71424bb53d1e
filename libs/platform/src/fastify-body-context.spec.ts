import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';

// patches/fastify+5.11.3.patch (fastify 5.12's change, fastify/fastify#7012) hands a parsed
// body on through runInAsyncScope instead of AsyncResource.bind, which built two deprecation
// wrappers per request in Node 20 (ADR 0047). The body arrives in the socket's async context:
// this holds the patched parser to handing it to the route in the request's own.
describe("fastify's body parser, as patched", () => {
  const context = new AsyncLocalStorage<string>();
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = Fastify();
    app.addHook('onRequest', (request, _reply, done) => {
      context.run(String(request.headers['x-request']), done);
    });
    app.addContentTypeParser('application/x-stream', (_request, payload, done) => {
      const chunks: Buffer[] = [];
      payload.on('data', (chunk: Buffer) => chunks.push(chunk));
      payload.on('end', () => done(null, Buffer.concat(chunks).toString()));
    });
    app.post('/', async (request) => ({ context: context.getStore(), body: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
  });

  afterAll(() => app.close());

  const post = async (request: string, contentType: string, body: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-request': request },
      body,
    });
    return { status: response.status, ...((await response.json()) as object) };
  };

  it.each([
    ['read whole (JSON)', 'application/json', (n: number) => JSON.stringify({ n })],
    ['streamed to a parser', 'application/x-stream', (n: number) => `body ${n}`],
  ])('hands a body %s to the route in its request context', async (_, contentType, bodyOf) => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) => post(`request-${n}`, contentType, bodyOf(n))),
    );
    expect(answers).toEqual(
      Array.from({ length: 20 }, (_, n) => ({
        status: 200,
        context: `request-${n}`,
        body: contentType === 'application/json' ? { n } : `body ${n}`,
      })),
    );
  });

  it('still answers a body it cannot parse with 400', async () => {
    expect(await post('bad', 'application/json', '{"n":')).toMatchObject({
      status: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
  });
});
