/** admin's REST API (DESIGN 5) as the browser test sets data up through it. */
export class AdminApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  createAccount(accountId: string, name: string): Promise<unknown> {
    return this.call('POST', '/v1/accounts', { account_id: accountId, name, currency: 'USD' });
  }

  grantCredit(accountId: string, amount: string, reason: string): Promise<unknown> {
    return this.call('POST', `/v1/accounts/${encodeURIComponent(accountId)}/credits`, {
      amount,
      kind: 'grant',
      reason,
      idempotency_key: `grant-${accountId}-${amount}`,
    });
  }

  tenantToken(accountId: string): Promise<{ token_id: string; token: string }> {
    return this.call('POST', '/v1/tokens', {
      role: 'tenant',
      account_id: accountId,
      name: `dashboard test ${accountId}`,
    });
  }

  /** The account's figures as its budget status answers them. */
  budgetStatus(
    accountId: string,
  ): Promise<{ used: string; available: string; alert_level: string }> {
    return this.call('GET', `/v1/accounts/${encodeURIComponent(accountId)}/budget-status`);
  }
}
