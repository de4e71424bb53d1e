import type { DeadLetterRecord } from '@tally/budget-domain';
import { eventually, usageRated } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { LedgerHarness } from './ledger.harness';

/**
 * Every ledger keeps USD books (ledger.create-account refuses another currency), so a rated
 * cost is a USD amount only when its record says `currency: "USD"`. Usage priced in another
 * currency is dead-lettered, never posted as if its figure were dollars.
 */
describe('usage priced in another currency than the books is dead-lettered', () => {
  const ledger = new LedgerHarness();
  let commands: CommandClient;
  let deadLetters: TopicRecorder;

  beforeAll(async () => {
    await ledger.start();
    commands = await ledger.commands();
    deadLetters = await ledger.kafka.record(ledger.topic('usage.dead-letter'));
  });
  afterAll(() => ledger.stop());

  it('dead-letters 1500 JPY and 2 usd as schema_violation on currency, and posts the 4 USD behind them', async () => {
    const account = 'acct_yen_usage';
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '1500.000000', { currency: 'JPY' }),
      usageRated(account, '2.000000', { currency: 'usd' }),
      usageRated(account, '4.000000'),
    ]);
    await eventually(async () =>
      expect(await commands.send('ledger.budget-status', { account_id: account })).toMatchObject({
        used: '4.000000',
      }),
    );
    const letters = await eventually(() => {
      const found = deadLetters
        .json<DeadLetterRecord>()
        .filter(
          (record) => record.source_topic === ledger.topic('usage.rated') && record.key === account,
        );
      if (found.length < 2) throw new Error(`${found.length} of 2 dead letters`);
      return found;
    }, 60_000);
    expect(letters.map((record) => [record.reason, record.error.split(':')[0]])).toEqual([
      ['schema_violation', 'currency'],
      ['schema_violation', 'currency'],
    ]);
  });
});
