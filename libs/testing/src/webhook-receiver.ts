import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How an endpoint of the receiver answers. */
export type Behavior =
  | { readonly kind: 'ok' }
  | { readonly kind: 'fail'; readonly times: number }
  | { readonly kind: 'always-fail' }
  | { readonly kind: 'hang' }
  /** Answers 200 after `ms`; with `times`, only its first `times` requests, then at once. */
  | { readonly kind: 'slow'; readonly ms: number; readonly times?: number }
  /** Its first `times` requests get 200 at once, then a byte of body every 100 ms for `ms`. */
  | { readonly kind: 'trickle'; readonly ms: number; readonly times: number };

export interface ReceivedRequest {
  readonly path: string;
  readonly deliveryId: string | undefined;
  readonly signature: string | undefined;
  /** true: verified with the endpoint's secret; false: missing or wrong; null: no secret given. */
  readonly signatureValid: boolean | null;
  readonly rawBody: string;
  readonly body: Record<string, unknown>;
  readonly receivedAt: number;
  readonly status: number | 'hung';
}

/**
 * A real HTTP receiver of alerting's webhooks, verifying every signature the way the README tells
 * receivers to (DESIGN 5): `Tally-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. A request with a bad signature is answered 401.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** The most requests an endpoint had open at once. */
  readonly maxInFlight = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly endpoints = new Map<
    string,
    { secret?: string; behavior: Behavior; seen: number }
  >();
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** An endpoint at `path` with its signing secret (none for Slack-style endpoints). */
  endpoint(path: string, options: { secret?: string; behavior?: Behavior } = {}): string {
    this.endpoints.set(path, {
      ...(options.secret ? { secret: options.secret } : {}),
      behavior: options.behavior ?? { kind: 'ok' },
      seen: 0,
    });
    return this.url(path);
  }

  setSecret(path: string, secret: string): void {
    const endpoint = this.endpoints.get(path);
    if (!endpoint) throw new Error(`no endpoint ${path}`);
    endpoint.secret = secret;
  }

  url(path: string): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const open = request.url ?? '/';
    this.inFlight.set(open, (this.inFlight.get(open) ?? 0) + 1);
    this.maxInFlight.set(open, Math.max(this.maxInFlight.get(open) ?? 0, this.inFlight.get(open)!));
    response.on('close', () => this.inFlight.set(open, this.inFlight.get(open)! - 1));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const path = request.url ?? '/';
    const endpoint = this.endpoints.get(path);
    const signature = header(request, 'tally-signature');
    const signatureValid = endpoint?.secret ? verify(endpoint.secret, rawBody, signature) : null;
    const behavior = endpoint?.behavior ?? { kind: 'always-fail' };
    const seen = endpoint ? endpoint.seen++ : 0;
    const status =
      signatureValid === false
        ? 401
        : behavior.kind === 'hang'
          ? 'hung'
          : behavior.kind === 'always-fail' || (behavior.kind === 'fail' && seen < behavior.times)
            ? 500
            : 200;
    this.requests.push({
      path,
      deliveryId: header(request, 'tally-delivery-id'),
      signature,
      signatureValid,
      rawBody,
      body: JSON.parse(rawBody) as Record<string, unknown>,
      receivedAt: Date.now(),
      status,
    });
    if (status === 'hung') return;
    if (behavior.kind === 'slow' && seen < (behavior.times ?? Infinity)) {
      await new Promise((resolve) => setTimeout(resolve, behavior.ms));
    }
    if (behavior.kind === 'trickle' && seen < behavior.times) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const until = Date.now() + behavior.ms;
      while (Date.now() < until && !response.destroyed) {
        response.write('.');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return void response.end();
    }
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What a receiver does: recompute the HMAC over "<t>.<raw body>", compare in constant time, refuse old timestamps. */
function verify(secret: string, rawBody: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const parts = new Map(
    signature.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at), part.slice(at + 1)] as const;
    }),
  );
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !v1 || !/^\d+$/.test(t)) return false;
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
