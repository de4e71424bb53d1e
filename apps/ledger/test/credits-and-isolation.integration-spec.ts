import type { BalanceChanged, LedgerTransaction } from '@tally/budget-domain';
import {
  eventually,
  inRolledBackTransaction,
  recordingManager,
  rowsExamined,
  usageRated,
} from '@tally/testing';
import { MessagingService } from '@tally/messaging';
import { Decimal } from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TopicRecorder } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { Books } from '../src/books/books.service';
import type { OpenBooks } from '../src/books/books.service';
import { LedgerStore } from '../src/books/ledger.store';
import { CreditsService } from '../src/credits/credits.service';
import { LedgerHarness } from './ledger.harness';

describe('credit and usage on the ledger', () => {
  const ledger = new LedgerHarness();
  let balances: TopicRecorder;
  let transactions: TopicRecorder;
  const latest = (account: string) =>
    balances
      .json<BalanceChanged>()
      .filter((b) => b.account_id === account)
      .pop();

  beforeAll(async () => {
    await ledger.start();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
    transactions = await ledger.kafka.record(ledger.topic('ledger.transactions'));
    const accounts = ledger.get(AccountsService);
    expect(await accounts.createAccount({ accountId: 'acct_a', name: 'A', tier: 'pro' })).toEqual({
      account: { account_id: 'acct_a', name: 'A', currency: 'USD', tier: 'pro', status: 'active' },
      created: true,
    });
    await accounts.createAccount({ accountId: 'acct_b', name: 'B' });
  });
  afterAll(() => ledger.stop());

  it('grants credit once per idempotency key and announces the balance', async () => {
    const credits = ledger.get(CreditsService);
    const first = await credits.grant({
      accountId: 'acct_a',
      amount: '10.00',
      kind: 'grant',
      reason: 'welcome',
      idempotencyKey: 'welcome-a',
    });
    const again = await credits.grant({
      accountId: 'acct_a',
      amount: '10.00',
      kind: 'grant',
      reason: 'welcome',
      idempotencyKey: 'welcome-a',
    });
    // The repeat answers the transaction the key posted, as it was posted.
    expect(first).toMatchObject({ amount: '10.00', replayed: false });
    expect(again).toEqual({ ...first, replayed: true });
    await eventually(() =>
      expect(latest('acct_a')).toMatchObject({
        extra_credit_remaining: '10.000000',
        available: '10.000000',
        available_percent: 100,
        alert_level: 'GREEN',
      }),
    );
    const grant = transactions
      .json<LedgerTransaction>()
      .find((t) => t.transaction_id === first.transaction_id);
    expect(grant!.postings).toEqual([
      { ledger_account: 'credit', amount: '10.000000' },
      { ledger_account: 'promotions', amount: '-10.000000' },
    ]);
    expect(transactions.json<LedgerTransaction>().filter((t) => t.kind === 'grant')).toHaveLength(
      1,
    );
  });

  it.each([
    ['negative', '-5.00'],
    ['zero', '0'],
    ['non-numeric', 'ten'],
    ['a JSON number', 10],
    ['absurd', '1000000.01'],
  ])('refuses a %s amount with INVALID_AMOUNT', async (_case, amount) => {
    await expect(
      ledger.get(CreditsService).grant({
        accountId: 'acct_a',
        amount,
        kind: 'grant',
        reason: 'x',
        idempotencyKey: `bad-${String(amount)}`,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
  });

  it('refuses credit for an unknown account', async () => {
    await expect(
      ledger.get(CreditsService).grant({
        accountId: 'acct_nobody',
        amount: '1',
        kind: 'bonus',
        reason: 'x',
        idempotencyKey: 'k',
      }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
  });

  it('usage draws on credit, then becomes overage; the other account never sees it', async () => {
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), 'acct_a', [
      usageRated('acct_a', '4.000000'),
      usageRated('acct_a', '7.500000'),
    ]);
    await eventually(() => expect(latest('acct_a')?.used).toBe('11.500000'));
    expect(latest('acct_a')).toMatchObject({
      used: '11.500000',
      extra_credit_remaining: '0.000000',
      overage: '1.500000',
      available: '0.000000',
      available_percent: 0,
      alert_level: 'CRITICAL',
    });
    // Both events came in one slice: one usage transaction whose postings are the sums, with a
    // line per event saying what paid for it (DESIGN 3.3).
    const usage = transactions
      .json<LedgerTransaction>()
      .filter((t) => t.account_id === 'acct_a' && t.kind === 'usage');
    const lines = usage.flatMap((t) => t.lines ?? []);
    expect(lines.map((line) => [line.cost, line.funding])).toEqual([
      ['4.000000', { allowance: '0.000000', credit: '4.000000', overage: '0.000000' }],
      ['7.500000', { allowance: '0.000000', credit: '6.000000', overage: '1.500000' }],
    ]);
    expect(usage.flatMap((t) => t.postings)).toEqual(
      usage.length === 1
        ? [
            { ledger_account: 'credit', amount: '-10.000000' },
            { ledger_account: 'overage', amount: '-1.500000' },
            { ledger_account: 'revenue', amount: '11.500000' },
          ]
        : [
            { ledger_account: 'credit', amount: '-4.000000' },
            { ledger_account: 'revenue', amount: '4.000000' },
            { ledger_account: 'credit', amount: '-6.000000' },
            { ledger_account: 'overage', amount: '-1.500000' },
            { ledger_account: 'revenue', amount: '7.500000' },
          ],
    );
    expect(balances.json<BalanceChanged>().filter((b) => b.account_id === 'acct_b')).toEqual([]);
  });

  it('a refund posts negative credit back to payments clearing', async () => {
    await ledger.get(CreditsService).grant({
      accountId: 'acct_b',
      amount: '20',
      kind: 'grant',
      reason: 'x',
      idempotencyKey: 'b-1',
    });
    const refund = await ledger.get(CreditsService).grant({
      accountId: 'acct_b',
      amount: '5',
      kind: 'refund',
      reason: 'goodwill reversal',
      idempotencyKey: 'b-r1',
    });
    await eventually(() =>
      expect(latest('acct_b')?.cause.transaction_id).toBe(refund.transaction_id),
    );
    expect(latest('acct_b')).toMatchObject({
      extra_credit_remaining: '15.000000',
      available_percent: 100,
    });
  });

  it('finds posted usage lines one by one in the primary key, never by reading the table', async () => {
    await inRolledBackTransaction(ledger.get(DataSource), async (manager) => {
      const post = (from: number, to: number) =>
        manager.query(
          `INSERT INTO usage_lines (account_id, source_id, transaction_id, usage_id, source, service,
             provider, model, occurred_at, cost, from_allowance, from_credit, to_overage, tokens,
             markup, discount, charged)
           SELECT 'acct_lookup_' || (g % 100), 'src-' || g, gen_random_uuid(), 'u-' || g, 'test', 'llm',
             'openai', 'gpt-4o', now(), 0, 0, 0, 0, 0, 0, 0, 0
           FROM generate_series($1::int, $2::int) AS g`,
          [from, to],
        );
      // Statistics taken when the table was half its size, as between two automatic analyses.
      await post(1, 10_000);
      await manager.query('ANALYZE usage_lines');
      await post(10_001, 20_100);
      const line = (g: number) => ({ accountId: `acct_lookup_${g % 100}`, sourceId: `src-${g}` });
      const posted = Array.from({ length: 500 }, (_, i) => line(1 + i * 40));
      const notPosted = Array.from({ length: 500 }, (_, i) => line(30_000 + i));
      const { manager: recorded, statements } = recordingManager(manager);

      const found = await ledger.get(LedgerStore).postedLines(recorded, [...posted, ...notPosted]);

      expect([...found].sort()).toEqual(posted.map((l) => l.sourceId).sort());
      expect(statements).toHaveLength(1);
      // At most a row per line asked (a join hashed all 20,100 lines of the table).
      expect(await rowsExamined(manager, statements[0]!, 'usage_lines')).toBeLessThanOrEqual(
        posted.length + notPosted.length,
      );
    });
  });

  it("opens an account's books to one writer at a time: the next one waits, then decides on what the first left", async () => {
    const accounts = ledger.get(AccountsService);
    await accounts.createAccount({ accountId: 'acct_turns', name: 'Turns' });
    await accounts.createAccount({ accountId: 'acct_aside', name: 'Aside' });
    await ledger.get(CreditsService).grant({
      accountId: 'acct_turns',
      amount: '1.00',
      kind: 'grant',
      reason: 'turns',
      idempotencyKey: 'turns',
    });
    const messaging = ledger.get(MessagingService);
    const books = ledger.get(Books);
    // Spends 0.70 of credit, as usage does: from what the books say is left, the rest overage.
    const spend = (open: OpenBooks, accountId: string) => {
      const credit = open.balancesOf(accountId).get('credit') ?? new Decimal(0);
      const fromCredit = Decimal.max(0, Decimal.min(credit, '0.70'));
      open.record({
        accountId,
        transactionId: randomUUID(),
        kind: 'test_spend',
        sourceId: randomUUID(),
        occurredAt: new Date().toISOString(),
        details: {},
        postings: [
          { code: 'credit', amount: fromCredit.negated() },
          { code: 'overage', amount: new Decimal('0.70').minus(fromCredit).negated() },
          { code: 'revenue', amount: new Decimal('0.70') },
        ],
      });
      return credit.toFixed(2);
    };
    const decided: string[] = [];
    const transact = (accountId: string, beforeCommit: Promise<void> = Promise.resolve()) =>
      messaging.transaction((tx) =>
        books.transact(tx, { accountIds: [accountId], now: new Date() }, async (open) => {
          const seen = spend(open, accountId);
          decided.push(`${accountId} saw ${seen}`);
          await beforeCommit;
          return seen;
        }),
      );
    let releaseFirst!: () => void;
    const first = transact('acct_turns', new Promise((resolve) => (releaseFirst = resolve)));
    await eventually(() => expect(decided).toEqual(['acct_turns saw 1.00']));
    const second = transact('acct_turns');
    // Another account's books are not behind the first writer's.
    await expect(transact('acct_aside')).resolves.toBe('0.00');
    // A second writer that did not wait for the first would have decided by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(decided).toEqual(['acct_turns saw 1.00', 'acct_aside saw 0.00']);
    releaseFirst();

    expect(await first).toBe('1.00');
    expect(await second).toBe('0.30');
    expect(decided).toEqual(['acct_turns saw 1.00', 'acct_aside saw 0.00', 'acct_turns saw 0.30']);
    const balances = await ledger
      .get(LedgerStore)
      .readBalances(ledger.get(DataSource).manager, 'acct_turns');
    expect(balances.get('credit')?.toFixed(12)).toBe('0.000000000000');
    expect(balances.get('overage')?.toFixed(12)).toBe('-0.400000000000');
  });
});
