import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isolate } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { LedgerHarness } from './ledger.harness';

describe('the holds of model estimates are priced with the catalog file metering rates with', () => {
  const catalogFile = path.join(
    mkdtempSync(path.join(tmpdir(), 'tally-ledger-catalog-')),
    'catalog.json',
  );
  writeFileSync(
    catalogFile,
    JSON.stringify({
      version: 'contract-v1',
      entries: [
        {
          provider: 'openai',
          model: 'gpt-4o-mini',
          prices: { input_per_mtok: '1.00', output_per_mtok: '2.00' },
        },
      ],
    }),
  );
  const ledger = new LedgerHarness(isolate(), undefined, { catalogFile });
  let secret: string;

  beforeAll(async () => {
    await ledger.start();
    const accounts = ledger.get(AccountsService);
    await accounts.createAccount({ accountId: 'acct_contract', name: 'Contract Ltd.' });
    secret = (await ledger.createApiKey('acct_contract', 'gateway')).secret;
    await ledger.get(CreditsService).grant({
      accountId: 'acct_contract',
      amount: '10.00',
      kind: 'grant',
      reason: 'trial',
      idempotencyKey: 'trial',
    });
  });
  afterAll(() => ledger.stop());

  it('holds 1,000 input and 500 output tokens of gpt-4o-mini at the contract price (0.002), not the list price (0.00045)', async () => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'llm',
        model: 'gpt-4o-mini',
        input_tokens: 1000,
        max_output_tokens: 500,
      }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ authorized: true, amount: '0.002000' });
  });
});
