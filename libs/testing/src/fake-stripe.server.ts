import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Stripe from 'stripe';

/** One API call as the fake received it: stripe-node's form body parsed into nested values. */
export interface FakeStripeRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, unknown>;
  readonly idempotencyKey: string | null;
}

/** How the fake answers the next off-session PaymentIntent. */
export type FakePaymentOutcome =
  | 'succeeded'
  | 'processing'
  | 'requires_action'
  | 'card_declined'
  | 'authentication_required'
  | 'api_error';

type StripeObject = Record<string, unknown> & { id: string };

interface StoredResponse {
  readonly status: number;
  readonly body: string;
  readonly fingerprint: string;
}

const API_VERSION = '2026-10-28.endive';

/**
 * A Stripe-compatible HTTP server for tests and demos, driven by the real `stripe` client
 * (STRIPE_API_URL). It records every request (method, path, form params, Idempotency-Key),
 * replays the stored response for a repeated idempotency key as Stripe does (and refuses the
 * key with other params, and a key whose first request is held in progress with 409), and can
 * be told to fail, hold a request in progress, decline, require action or answer
 * `processing`. It serves what top-up uses: Checkout Sessions (payment and setup), customers,
 * PaymentIntents (a customer's listed too), SetupIntents and PaymentMethods, and reads charges, refunds and disputes (a charge's
 * refunds listed too); helpers complete sessions, settle PaymentIntents, refund them (refunds
 * that succeed, stay pending, fail or are canceled), dispute them (lost, won, appealed) and
 * build signed webhook deliveries.
 */
export class FakeStripeServer {
  readonly requests: FakeStripeRequest[] = [];
  private readonly objects = new Map<string, StripeObject>();
  private readonly idempotent = new Map<string, StoredResponse>();
  private readonly outcomes: FakePaymentOutcome[] = [];
  private failures = 0;
  private drops = 0;
  private readonly stalls: Array<{ path: string; gate: Promise<void> }> = [];
  /** Idempotency keys whose first request is being carried out. */
  private readonly inProgress = new Set<string>();
  private readonly signer = new Stripe('sk_test_fake_signer');

  private readonly server: Server = createServer(
    (request: IncomingMessage, response: ServerResponse) => void this.handle(request, response),
  );

  static start(port = 0): Promise<FakeStripeServer> {
    return new FakeStripeServer().listen(port);
  }

  /** Starts answering; a spec can build the fake (and what reads its url) before this. */
  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this;
  }

  /** The port it listens on (0 before `listen`). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** What STRIPE_API_URL is set to. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next off-session PaymentIntents answer these, in order; then `succeeded` again. */
  nextPaymentIntents(...outcomes: FakePaymentOutcome[]): void {
    this.outcomes.push(...outcomes);
  }

  /** The next `count` requests, whatever they are, answer 500 before doing anything. */
  failNext(count = 1): void {
    this.failures += count;
  }

  /**
   * The next `count` requests are carried out (and stored for their idempotency key) but the
   * connection closes before the answer: the caller cannot know what happened, as after a
   * crash or a network cut between the call and its outcome.
   */
  dropNextResponses(count = 1): void {
    this.drops += count;
  }

  /**
   * The next POST to `path` is carried out only once the returned function is called: a slow
   * Stripe. Meanwhile another request under its idempotency key answers 409
   * `idempotency_key_in_use`, as Stripe answers while a key's first request is in progress.
   */
  stallNext(path: string): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.stalls.push({ path, gate });
    return release;
  }

  requestsTo(method: string, path: string): FakeStripeRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  object<T = StripeObject>(id: string): T {
    const found = this.objects.get(id);
    if (!found) throw new Error(`the fake holds no Stripe object ${id}`);
    return found as unknown as T;
  }

  /** The objects of one type (`payment_intent`, `charge`, …) the fake holds, oldest first. */
  objectsOf<T = StripeObject>(type: string): T[] {
    return [...this.objects.values()].filter(
      (object) => object['object'] === type,
    ) as unknown as T[];
  }

  /**
   * The customer pays (or fails to) on the hosted page: a payment session gets its
   * PaymentIntent (succeeded, or requires_payment_method when unpaid), a setup session its
   * customer, payment method and succeeded SetupIntent. Returns the completed session.
   */
  completeCheckout(sessionId: string, options: { paid?: boolean } = {}): StripeObject {
    const session = this.object(sessionId);
    const metadata = (session['metadata'] ?? {}) as Record<string, string>;
    if (session['mode'] === 'setup') {
      const customer = (session['customer'] as string | null) ?? this.createCustomer({}).id;
      const paymentMethod = this.createPaymentMethod(customer);
      const setupIntent = this.store('seti', {
        object: 'setup_intent',
        status: 'succeeded',
        usage: 'off_session',
        customer,
        payment_method: paymentMethod.id,
        metadata: (session['setup_intent_metadata'] ?? metadata) as Record<string, string>,
      });
      Object.assign(session, {
        status: 'complete',
        customer,
        setup_intent: setupIntent.id,
      });
      return { ...session };
    }
    const paid = options.paid ?? true;
    const paymentIntent = this.store('pi', {
      object: 'payment_intent',
      amount: session['amount_total'],
      amount_received: paid ? session['amount_total'] : 0,
      currency: session['currency'],
      status: paid ? 'succeeded' : 'requires_payment_method',
      customer: session['customer'] ?? null,
      payment_method: paid ? this.createPaymentMethod(null).id : null,
      metadata: (session['payment_intent_metadata'] ?? {}) as Record<string, string>,
      latest_charge: null,
    });
    if (paid) paymentIntent['latest_charge'] = this.chargeFor(paymentIntent).id;
    Object.assign(session, {
      status: 'complete',
      payment_status: paid ? 'paid' : 'unpaid',
      payment_intent: paymentIntent.id,
    });
    return { ...session };
  }

  /**
   * A session completed unpaid with a delayed payment method (SEPA, bank transfer) settles
   * days later: its PaymentIntent succeeds or fails, and the session is paid or stays unpaid.
   * Returns the session, as the checkout.session.async_payment_* events carry it.
   */
  settleDelayedCheckout(sessionId: string, options: { paid?: boolean } = {}): StripeObject {
    const session = this.object(sessionId);
    const paymentIntentId = session['payment_intent'] as string;
    if (options.paid ?? true) {
      this.succeedPaymentIntent(paymentIntentId);
      session['payment_status'] = 'paid';
    } else {
      this.failPaymentIntent(paymentIntentId, 'payment_method_provider_decline');
    }
    return { ...session };
  }

  /** A PaymentIntent left processing (or requiring action) succeeds; returns it. */
  succeedPaymentIntent(paymentIntentId: string): StripeObject {
    const paymentIntent = this.object(paymentIntentId);
    paymentIntent['status'] = 'succeeded';
    paymentIntent['amount_received'] = paymentIntent['amount'];
    paymentIntent['latest_charge'] = this.chargeFor(paymentIntent).id;
    return { ...paymentIntent };
  }

  /** A PaymentIntent fails asynchronously (its payment_intent.payment_failed object). */
  failPaymentIntent(paymentIntentId: string, code = 'card_declined'): StripeObject {
    const paymentIntent = this.object(paymentIntentId);
    Object.assign(paymentIntent, {
      status: 'requires_payment_method',
      last_payment_error: { type: 'card_error', code, message: `the fake failed it: ${code}` },
    });
    return { ...paymentIntent };
  }

  /** Refunds part (or all) of a PaymentIntent's charge; returns the charge for charge.refunded. */
  refund(paymentIntentId: string, amountMinor?: number): StripeObject {
    this.createRefund(paymentIntentId, amountMinor === undefined ? {} : { amountMinor });
    return this.chargeOf(paymentIntentId);
  }

  /**
   * A Refund of part (or, by default, the rest) of a PaymentIntent's charge, `succeeded` unless
   * told otherwise; the charge's `amount_refunded` counts it, as Stripe's does from its creation.
   * Returns the Refund, as refund.created carries it.
   */
  createRefund(
    paymentIntentId: string,
    options: { amountMinor?: number; status?: 'pending' | 'requires_action' | 'succeeded' } = {},
  ): StripeObject {
    const charge = this.object(this.object(paymentIntentId)['latest_charge'] as string);
    const chargeAmount = charge['amount'] as number;
    const refundable = chargeAmount - (charge['amount_refunded'] as number);
    const amount = Math.min(refundable, options.amountMinor ?? refundable);
    const refund = this.store('re', {
      object: 'refund',
      amount,
      currency: charge['currency'],
      charge: charge.id,
      payment_intent: paymentIntentId,
      status: options.status ?? 'succeeded',
      reason: null,
      metadata: {},
    });
    this.moveRefunded(charge, amount);
    return { ...refund };
  }

  /**
   * A refund fails (the card was closed, say): Stripe takes it out of its charge's
   * `amount_refunded`. Returns the Refund, as refund.failed and charge.refund.updated carry it.
   */
  failRefund(refundId: string, reason = 'expired_or_canceled_card'): StripeObject {
    return this.endRefund(refundId, { status: 'failed', failure_reason: reason });
  }

  /** A refund awaiting the customer (requires_action) is canceled; returns it as refund.updated carries it. */
  cancelRefund(refundId: string): StripeObject {
    return this.endRefund(refundId, { status: 'canceled' });
  }

  /**
   * The customer's bank disputes a PaymentIntent's charge (all of it unless told otherwise):
   * a Dispute `needs_response`, as charge.dispute.created and funds_withdrawn carry it.
   */
  dispute(paymentIntentId: string, options: { amountMinor?: number } = {}): StripeObject {
    const charge = this.object(this.object(paymentIntentId)['latest_charge'] as string);
    charge['disputed'] = true;
    const dispute = this.store('dp', {
      object: 'dispute',
      amount: options.amountMinor ?? charge['amount'],
      currency: charge['currency'],
      charge: charge.id,
      payment_intent: paymentIntentId,
      status: 'needs_response',
      reason: 'fraudulent',
      is_charge_refundable: false,
      balance_transactions: [],
      metadata: {},
    });
    return { ...dispute };
  }

  /**
   * A dispute is decided (`lost`, `won`) or moves on (`appeal_needs_response` after a loss);
   * returns it as charge.dispute.closed or charge.dispute.updated carries it.
   */
  decideDispute(disputeId: string, status: 'lost' | 'won' | 'appeal_needs_response'): StripeObject {
    const dispute = this.object(disputeId);
    dispute['status'] = status;
    return { ...dispute };
  }

  /** The charge of a PaymentIntent as it is now, as charge.refunded carries it. */
  chargeOf(paymentIntentId: string): StripeObject {
    return { ...this.object(this.object(paymentIntentId)['latest_charge'] as string) };
  }

  private endRefund(refundId: string, fields: Record<string, unknown>): StripeObject {
    const refund = this.object(refundId);
    if (refund['status'] !== 'failed' && refund['status'] !== 'canceled') {
      this.moveRefunded(this.object(refund['charge'] as string), -(refund['amount'] as number));
    }
    Object.assign(refund, fields);
    return { ...refund };
  }

  private moveRefunded(charge: StripeObject, amount: number): void {
    const refunded = (charge['amount_refunded'] as number) + amount;
    Object.assign(charge, { amount_refunded: refunded, refunded: refunded === charge['amount'] });
  }

  /** A webhook event as Stripe sends it. */
  event(type: string, object: Record<string, unknown>): Record<string, unknown> {
    return {
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
  }

  /** The body and `Stripe-Signature` header of a delivery, signed with stripe-node's test helper. */
  sign(
    event: Record<string, unknown>,
    secret: string,
    timestamp?: number,
  ): { body: string; header: string } {
    const body = JSON.stringify(event);
    return {
      body,
      header: this.signer.webhooks.generateTestHeaderString({
        payload: body,
        secret,
        ...(timestamp === undefined ? {} : { timestamp }),
      }),
    };
  }

  /** POSTs a signed delivery to a webhook endpoint, as Stripe (or `stripe listen`) does. */
  async deliver(
    url: string,
    event: Record<string, unknown>,
    secret: string,
    options: { timestamp?: number; header?: string | null } = {},
  ): Promise<Response> {
    const { body, header } = this.sign(event, secret, options.timestamp);
    const signature = options.header === undefined ? header : options.header;
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(signature === null ? {} : { 'stripe-signature': signature }),
      },
      body,
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://fake');
    const params =
      request.method === 'GET' ? parseForm(url.searchParams.toString()) : parseForm(raw);
    const idempotencyKey = header(request, 'idempotency-key');
    this.requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      params,
      idempotencyKey,
    });
    const answer = (status: number, body: string) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_${randomBytes(8).toString('hex')}`,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      });
      response.end(body);
    };
    // A lost answer is lost whether the request was carried out now or replayed for its key.
    const send = (status: number, body: string) => {
      if (this.drops > 0) {
        this.drops -= 1;
        request.socket.destroy();
        return;
      }
      answer(status, body);
    };
    if (this.failures > 0) {
      this.failures -= 1;
      answer(500, error('api_error', 'the fake was told to fail'));
      return;
    }
    if (idempotencyKey && request.method === 'POST' && this.inProgress.has(idempotencyKey)) {
      answer(
        409,
        error(
          'invalid_request_error',
          'There is currently another in-progress request using this Idempotent Key. Please try again later.',
          'idempotency_key_in_use',
        ),
      );
      return;
    }
    const index = this.stalls.findIndex(
      (each) => request.method === 'POST' && each.path === url.pathname,
    );
    const [stall] = index >= 0 ? this.stalls.splice(index, 1) : [];
    const stalledKey = stall ? idempotencyKey : null;
    if (stall) {
      if (stalledKey) this.inProgress.add(stalledKey);
      await stall.gate;
    }
    try {
      this.carryOut(request, url, params, raw, idempotencyKey, send);
    } finally {
      if (stalledKey) this.inProgress.delete(stalledKey);
    }
  }

  private carryOut(
    request: IncomingMessage,
    url: URL,
    params: Record<string, unknown>,
    raw: string,
    idempotencyKey: string | null,
    send: (status: number, body: string) => void,
  ): void {
    const fingerprint = `${request.method} ${url.pathname} ${raw}`;
    if (idempotencyKey && request.method === 'POST') {
      const stored = this.idempotent.get(idempotencyKey);
      if (stored) {
        if (stored.fingerprint === fingerprint) send(stored.status, stored.body);
        else
          send(
            400,
            error(
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with (${idempotencyKey})`,
            ),
          );
        return;
      }
    }
    const { status, body } = this.route(request.method ?? 'GET', url.pathname, params);
    if (idempotencyKey && request.method === 'POST')
      this.idempotent.set(idempotencyKey, { status, body, fingerprint });
    send(status, body);
  }

  private route(
    method: string,
    path: string,
    params: Record<string, unknown>,
  ): { status: number; body: string } {
    const ok = (object: StripeObject) => ({ status: 200, body: JSON.stringify(object) });
    const refused = method === 'POST' ? unchargeableAmount(path, params) : undefined;
    if (refused) return { status: 400, body: error('invalid_request_error', refused) };
    if (method === 'POST' && path === '/v1/checkout/sessions')
      return ok(this.createSession(params));
    if (method === 'POST' && path === '/v1/customers') return ok(this.createCustomer(params));
    if (method === 'POST' && path === '/v1/payment_intents')
      return this.createPaymentIntent(params);
    if (method === 'GET' && path === '/v1/payment_intents')
      return { status: 200, body: JSON.stringify(this.listPaymentIntents(params)) };
    if (method === 'GET' && path === '/v1/refunds')
      return { status: 200, body: JSON.stringify(this.listRefunds(params)) };
    const match =
      /^\/v1\/(checkout\/sessions|customers|payment_intents|setup_intents|payment_methods|charges|refunds|disputes)\/([^/]+)$/.exec(
        path,
      );
    const id = match?.[2];
    const found = id && method === 'GET' ? this.objects.get(id) : undefined;
    if (found) return ok(found);
    return {
      status: 404,
      body: error('invalid_request_error', `No such object: ${path}`, 'resource_missing'),
    };
  }

  /** A customer's PaymentIntents (created since `created[gte]`), newest first, on one page. */
  private listPaymentIntents(params: Record<string, unknown>): Record<string, unknown> {
    const since = Number((params['created'] as Record<string, unknown> | undefined)?.['gte'] ?? 0);
    const paymentIntents = [...this.objects.values()]
      .filter(
        (object) =>
          object['object'] === 'payment_intent' &&
          (params['customer'] === undefined || object['customer'] === params['customer']) &&
          Number(object['created']) >= since,
      )
      .reverse();
    return { object: 'list', url: '/v1/payment_intents', has_more: false, data: paymentIntents };
  }

  /** A charge's or a PaymentIntent's refunds, newest first, on one page. */
  private listRefunds(params: Record<string, unknown>): Record<string, unknown> {
    const refunds = [...this.objects.values()]
      .filter(
        (object) =>
          object['object'] === 'refund' &&
          (params['charge'] === undefined || object['charge'] === params['charge']) &&
          (params['payment_intent'] === undefined ||
            object['payment_intent'] === params['payment_intent']),
      )
      .reverse();
    return { object: 'list', url: '/v1/refunds', has_more: false, data: refunds };
  }

  private createSession(params: Record<string, unknown>): StripeObject {
    const mode = String(params['mode']);
    const lineItems = (params['line_items'] ?? []) as Array<Record<string, unknown>>;
    const amountTotal = lineItems.reduce((sum, item) => {
      const price = (item['price_data'] ?? {}) as Record<string, unknown>;
      return sum + Number(price['unit_amount'] ?? 0) * Number(item['quantity'] ?? 1);
    }, 0);
    const firstPrice = (lineItems[0]?.['price_data'] ?? {}) as Record<string, unknown>;
    const id = `cs_test_${randomBytes(16).toString('hex')}`;
    return this.put({
      id,
      object: 'checkout.session',
      mode,
      status: 'open',
      payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
      url: `${this.url}/pay/${id}`,
      amount_total: mode === 'setup' ? null : amountTotal,
      currency: (firstPrice['currency'] as string | undefined) ?? params['currency'] ?? null,
      customer: params['customer'] ?? null,
      customer_creation: params['customer_creation'] ?? null,
      client_reference_id: params['client_reference_id'] ?? null,
      metadata: params['metadata'] ?? {},
      payment_intent_metadata:
        ((params['payment_intent_data'] ?? {}) as Record<string, unknown>)['metadata'] ?? {},
      setup_intent_metadata:
        ((params['setup_intent_data'] ?? {}) as Record<string, unknown>)['metadata'] ?? {},
      success_url: params['success_url'] ?? null,
      cancel_url: params['cancel_url'] ?? null,
      payment_intent: null,
      setup_intent: null,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
    });
  }

  private createCustomer(params: Record<string, unknown>): StripeObject {
    return this.store('cus', { object: 'customer', metadata: params['metadata'] ?? {} });
  }

  private createPaymentMethod(customer: string | null): StripeObject {
    return this.store('pm', {
      object: 'payment_method',
      type: 'card',
      customer,
      card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 },
    });
  }

  private createPaymentIntent(params: Record<string, unknown>): { status: number; body: string } {
    const outcome = this.outcomes.shift() ?? 'succeeded';
    const base = {
      object: 'payment_intent',
      amount: Number(params['amount']),
      currency: params['currency'],
      customer: params['customer'] ?? null,
      payment_method: params['payment_method'] ?? null,
      metadata: params['metadata'] ?? {},
      off_session: params['off_session'] === 'true',
      latest_charge: null,
    };
    switch (outcome) {
      case 'succeeded': {
        const paymentIntent = this.store('pi', {
          ...base,
          status: 'succeeded',
          amount_received: base.amount,
        });
        paymentIntent['latest_charge'] = this.chargeFor(paymentIntent).id;
        return { status: 200, body: JSON.stringify(paymentIntent) };
      }
      case 'processing':
        return {
          status: 200,
          body: JSON.stringify(this.store('pi', { ...base, status: 'processing' })),
        };
      case 'requires_action':
        return {
          status: 200,
          body: JSON.stringify(
            this.store('pi', {
              ...base,
              status: 'requires_action',
              next_action: { type: 'use_stripe_sdk' },
            }),
          ),
        };
      case 'card_declined':
      case 'authentication_required': {
        const paymentIntent = this.store('pi', {
          ...base,
          status: 'requires_payment_method',
          last_payment_error: { type: 'card_error', code: outcome },
        });
        return {
          status: 402,
          body: JSON.stringify({
            error: {
              type: 'card_error',
              code: outcome,
              ...(outcome === 'card_declined' ? { decline_code: 'generic_decline' } : {}),
              message:
                outcome === 'card_declined'
                  ? 'Your card was declined.'
                  : 'This payment requires authentication.',
              payment_intent: paymentIntent,
            },
          }),
        };
      }
      case 'api_error':
        return { status: 500, body: error('api_error', 'the fake answered a server error') };
    }
  }

  private chargeFor(paymentIntent: StripeObject): StripeObject {
    return this.store('ch', {
      object: 'charge',
      amount: paymentIntent['amount'],
      amount_refunded: 0,
      refunded: false,
      currency: paymentIntent['currency'],
      payment_intent: paymentIntent.id,
      metadata: paymentIntent['metadata'] ?? {},
    });
  }

  private store(prefix: string, fields: Record<string, unknown>): StripeObject {
    return this.put({
      id: `${prefix}_${randomBytes(12).toString('hex')}`,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
      ...fields,
    });
  }

  private put(object: StripeObject): StripeObject {
    this.objects.set(object.id, object);
    return object;
  }
}

/** Stripe's amounts have at most eight digits (999,999.99 in a two-decimal currency). */
const MAX_AMOUNT_MINOR = 99_999_999;
/** Stripe's three-decimal currencies: it charges them only in steps of 10 minor units. */
const THREE_DECIMAL_CURRENCIES = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Why Stripe refuses the amount a session or PaymentIntent asks for, if it does. */
function unchargeableAmount(path: string, params: Record<string, unknown>): string | undefined {
  const charged: Array<[unknown, unknown]> = [];
  if (path === '/v1/payment_intents') charged.push([params['currency'], params['amount']]);
  if (path === '/v1/checkout/sessions') {
    for (const item of (params['line_items'] ?? []) as Array<Record<string, unknown>>) {
      const price = (item['price_data'] ?? {}) as Record<string, unknown>;
      charged.push([price['currency'], price['unit_amount']]);
    }
  }
  for (const [currency, amount] of charged) {
    if (Number(amount) > MAX_AMOUNT_MINOR)
      return `Amount must be no more than ${MAX_AMOUNT_MINOR} (eight digits of ${String(currency)} minor units)`;
    if (THREE_DECIMAL_CURRENCIES.has(String(currency)) && !String(amount).endsWith('0'))
      return `Invalid amount ${String(amount)}: amounts in ${String(currency)} must be a multiple of 10 (the last digit must be 0)`;
  }
  return undefined;
}

function error(type: string, message: string, code?: string): string {
  return JSON.stringify({ error: { type, message, ...(code ? { code } : {}) } });
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * stripe-node's application/x-www-form-urlencoded body with bracket keys
 * (`line_items[0][price_data][currency]=chf`) as nested objects and arrays of strings.
 */
export function parseForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = root;
    path.forEach((part, index) => {
      if (index === path.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next !== 'object' || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return arraysOf(root) as Record<string, unknown>;
}

function arraysOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, inner]) => [key, arraysOf(inner)] as const,
  );
  const indexed = entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key));
  if (indexed) return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, inner]) => inner);
  return Object.fromEntries(entries);
}
