import type { DeadLetterRecord } from '@tally/budget-domain';
import { eventually, incompressibleText, usageRated } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { LedgerHarness } from './ledger.harness';

const payment = (id: string, account: string, overrides: Record<string, unknown> = {}) => ({
  schema_version: 1,
  id,
  account_id: account,
  kind: 'credit_purchased',
  trigger: 'manual',
  credit_amount: '10.00',
  paid_amount: '30.00',
  paid_currency: 'CHF',
  stripe_ref: `cs_test_${id}`,
  at: new Date().toISOString(),
  ...overrides,
});

/**
 * Records that pass a reader's schema but that PostgreSQL refuses roll back every slice that
 * holds them, for good: nothing behind them on their partition is ever applied. Each must be
 * dead-lettered instead, and the record behind it applied.
 */
describe('records the ledger could not store are dead-lettered, never stall their partition', () => {
  const ledger = new LedgerHarness();
  let commands: CommandClient;
  let deadLetters: TopicRecorder;

  /** The reason and the field each dead letter of the account's records on `topic` names. */
  const deadLettersOf = (topic: string, account: string, count: number) =>
    eventually(() => {
      const found = deadLetters
        .json<DeadLetterRecord>()
        .filter((record) => record.source_topic === ledger.topic(topic) && record.key === account)
        .map((record) => [record.reason, record.error.split(':')[0]]);
      if (found.length < count) throw new Error(`${found.length} of ${count} dead letters`);
      return found;
    }, 60_000);
  const status = (account: string) =>
    commands.send('ledger.budget-status', { account_id: account });

  beforeAll(async () => {
    await ledger.start();
    commands = await ledger.commands();
    deadLetters = await ledger.kafka.record(ledger.topic('usage.dead-letter'));
  });
  afterAll(() => ledger.stop());

  it('dead-letters payments whose time has an offset PostgreSQL refuses, and credits the one behind them', async () => {
    const account = 'acct_bad_offset';
    await ledger.kafka.produceJson(ledger.topic('payments.events'), account, [
      // Date.parse reads both; PostgreSQL takes offsets up to ±15:59 only.
      payment('pay_offset_16', account, { at: '2026-12-01T10:00:00+16:00' }),
      payment('pay_offset_23', account, { at: '2026-12-01T10:00:00-23:59' }),
      payment('pay_offset_good', account),
    ]);
    expect(await deadLettersOf('payments.events', account, 2)).toEqual([
      ['schema_violation', 'at'],
      ['schema_violation', 'at'],
    ]);
    await eventually(async () =>
      expect(await status(account)).toMatchObject({ extra_credit_remaining: '10.000000' }),
    );
  });

  it('dead-letters usage whose identifiers are longer than an index row takes, and posts the usage behind it', async () => {
    const account = 'acct_long_ids';
    const long = incompressibleText(3000);
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '1.000000', { id: long }),
      usageRated(account, '2.000000', { source: long }),
      usageRated(account, '4.000000'),
    ]);
    expect(await deadLettersOf('usage.rated', account, 2)).toEqual([
      ['schema_violation', 'id'],
      ['schema_violation', 'source'],
    ]);
    await eventually(async () => expect(await status(account)).toMatchObject({ used: '4.000000' }));
  });

  it('dead-letters usage and payments above 1,000,000, which overflowed the sums they are added to, and applies what is behind them (ADR 0096)', async () => {
    const spender = 'acct_huge_usage';
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), spender, [
      usageRated(spender, '99999999999999999999999999.999999999999'),
      usageRated(spender, '1000000.000000000001'),
      usageRated(spender, '1000000.000000'),
      usageRated(spender, '0.500000'),
    ]);
    const buyer = 'acct_huge_payments';
    await ledger.kafka.produceJson(ledger.topic('payments.events'), buyer, [
      payment('pay_huge', buyer, { credit_amount: '99999999999999999999999999.999999999999' }),
      payment('pay_above', buyer, { credit_amount: '1000000.000000000001' }),
      payment('pay_huge_paid', buyer, { paid_amount: '99999999999999999999999999' }),
      payment('pay_fits', buyer, { credit_amount: '1000000' }),
    ]);
    expect(await deadLettersOf('usage.rated', spender, 2)).toEqual([
      ['schema_violation', 'cost'],
      ['schema_violation', 'cost'],
    ]);
    expect(await deadLettersOf('payments.events', buyer, 3)).toEqual([
      ['schema_violation', 'credit_amount'],
      ['schema_violation', 'credit_amount'],
      ['schema_violation', 'paid_amount'],
    ]);
    await eventually(async () =>
      expect(await status(spender)).toMatchObject({ used: '1000000.500000' }),
    );
    await eventually(async () =>
      expect(await status(buyer)).toMatchObject({ extra_credit_remaining: '1000000.000000' }),
    );
  });
});
