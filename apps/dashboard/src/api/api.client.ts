import type {
  Account,
  Alert,
  BudgetStatus,
  Checkout,
  ErrorBody,
  Page,
  Payment,
  Summary,
  TopSpender,
  TopupEntry,
  Transaction,
  UsageGroup,
  UsageRow,
} from './api.types';

/** A refusal from admin, with its `error_code` (DESIGN 5 error body). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const MAX_ATTEMPTS = 3;
const MAX_WAIT_MS = 5_000;

/** Retry-After in milliseconds (seconds on the wire; 1 s when absent or unreadable). */
export function retryAfterMs(response: Response): number {
  const header = response.headers.get('retry-after');
  const seconds = header === null || header.trim() === '' ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

export type Query = Record<string, string | number | undefined | null>;

/** "?a=1&b=x%20y" without the empty values; "" when nothing is left. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** `/v1/accounts/<id>` with the id escaped: an id may hold any text. */
export function accountPath(accountId: string, rest = ''): string {
  return `/v1/accounts/${encodeURIComponent(accountId)}${rest}`;
}

/** Lists answer `{ items, next_cursor }`; a bare array is taken as one full page. */
export function asPage<T>(body: unknown): Page<T> {
  if (Array.isArray(body)) return { items: body as T[], next_cursor: null };
  if (body !== null && typeof body === 'object' && Array.isArray((body as Page<T>).items)) {
    const page = body as Page<T>;
    return { items: page.items, next_cursor: page.next_cursor ?? null };
  }
  return { items: [], next_cursor: null };
}

export interface TransactionFilter {
  kind?: string;
  from?: string;
  to?: string;
}

/** Admin's REST API, called with the signed-in bearer token from the same origin. */
export class ApiClient {
  constructor(
    private readonly token: string,
    private readonly baseUrl = '',
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    /** Told when admin no longer takes the token (revoked, removed): the session is over. */
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body, 'application/json');
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** A file the API streams (CSV), as a Blob the browser can save. */
  async download(path: string): Promise<Blob> {
    const response = await this.send('GET', path, undefined, 'text/csv');
    return response.blob();
  }

  private async send(method: string, path: string, body: unknown, accept: string) {
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.sendOnce(method, path, body, accept);
      // A page asks for many charts at once; the per-token rate limit may ask it to wait.
      const waitMs = retryAfterMs(response);
      if (response.status !== 429 || attempt >= MAX_ATTEMPTS || waitMs > MAX_WAIT_MS) {
        if (response.status === 401) this.onUnauthorized();
        if (!response.ok) throw await errorOf(response);
        return response;
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  private async sendOnce(method: string, path: string, body: unknown, accept: string) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  accounts(cursor?: string | null, limit = 50): Promise<Page<Account>> {
    return this.request<unknown>('GET', `/v1/accounts${queryString({ cursor, limit })}`).then(
      (body) => asPage<Account>(body),
    );
  }

  account(accountId: string): Promise<Account> {
    return this.request('GET', accountPath(accountId));
  }

  budgetStatus(accountId: string): Promise<BudgetStatus> {
    return this.request('GET', accountPath(accountId, '/budget-status'));
  }

  usage(accountId: string, groupBy: UsageGroup, from?: string, to?: string): Promise<UsageRow[]> {
    const query = queryString({ group_by: groupBy, from, to });
    return this.request<unknown>('GET', accountPath(accountId, `/usage${query}`)).then(
      (body) => asPage<UsageRow>(body).items,
    );
  }

  transactions(
    accountId: string,
    filter: TransactionFilter,
    cursor?: string | null,
    limit = 50,
  ): Promise<Page<Transaction>> {
    const query = queryString({ ...filter, cursor, limit });
    return this.request<unknown>('GET', accountPath(accountId, `/transactions${query}`)).then(
      (body) => asPage<Transaction>(body),
    );
  }

  transactionsCsvPath(accountId: string, filter: TransactionFilter): string {
    return accountPath(accountId, `/transactions.csv${queryString({ ...filter })}`);
  }

  topups(accountId: string, cursor?: string | null): Promise<Page<TopupEntry>> {
    return this.request<unknown>(
      'GET',
      accountPath(accountId, `/topups${queryString({ cursor })}`),
    ).then((body) => asPage<TopupEntry>(body));
  }

  /** Payments admin projected from payments.events (topup's history needs topup running). */
  payments(accountId: string, cursor?: string | null): Promise<Page<Payment>> {
    return this.request<unknown>(
      'GET',
      accountPath(accountId, `/payments${queryString({ cursor })}`),
    ).then((body) => asPage<Payment>(body));
  }

  /** Stripe sends the payer back to `returnUrl` whether they paid or cancelled. */
  checkout(accountId: string, amountPaid: string, returnUrl: string): Promise<Checkout> {
    return this.request('POST', accountPath(accountId, '/topups/checkout'), {
      amount_paid: amountPaid,
      success_url: returnUrl,
      cancel_url: returnUrl,
    });
  }

  alerts(accountId: string, cursor?: string | null): Promise<Page<Alert>> {
    return this.request<unknown>(
      'GET',
      accountPath(accountId, `/alerts${queryString({ cursor })}`),
    ).then((body) => asPage<Alert>(body));
  }

  summary(days: number): Promise<Summary> {
    return this.request('GET', `/v1/analytics/summary${queryString({ days })}`);
  }

  topSpenders(days: number, limit = 10): Promise<TopSpender[]> {
    return this.request<unknown>(
      'GET',
      `/v1/analytics/top-spenders${queryString({ days, limit })}`,
    ).then((body) => asPage<TopSpender>(body).items);
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not the error body (a proxy's page, say): the status speaks for itself.
  }
  return new ApiError(
    response.status,
    body.error_code ?? `HTTP_${response.status}`,
    body.message ?? response.statusText ?? 'request failed',
  );
}
