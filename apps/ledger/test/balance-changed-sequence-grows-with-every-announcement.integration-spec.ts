import type { BalanceChanged } from '@tally/budget-domain';
import { createApiKey, eventually, usageRated } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { LedgerHarness } from './ledger.harness';

describe('ledger.balance-changed sequences (DESIGN 3.3)', () => {
  const ledger = new LedgerHarness();
  const account = 'acct_sequence';
  let commands: CommandClient;
  let balances: TopicRecorder;

  const announcements = () =>
    balances.json<BalanceChanged>().filter((balance) => balance.account_id === account);
  /** Waits for the account's next announcement after the `seen` it already had. */
  const nextAnnouncement = (seen: number) =>
    eventually(() => {
      const next = announcements()[seen];
      if (!next) throw new Error(`no announcement after the ${seen} seen yet`);
      return next;
    });
  const grant = (idempotencyKey: string, amount: string) =>
    commands.send('ledger.grant-credit', {
      account_id: account,
      amount,
      kind: 'grant',
      reason: 'sequence',
      idempotency_key: idempotencyKey,
    });
  const authorize = async (secret: string, cost: string) => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ estimated_cost: cost, ttl_seconds: 60 }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { reservation_id: string }).reservation_id;
  };
  /** What a consumer keeps: each record whose sequence is above the last it applied. */
  const applied = (records: readonly BalanceChanged[]) =>
    records.reduce((last, record) => (record.sequence > last.sequence ? record : last));

  beforeAll(async () => {
    await ledger.start();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
    commands = await ledger.commands();
  });
  afterAll(() => ledger.stop());

  it('a free usage that settles a hold posts no amount, yet its announcement is newer than the last', async () => {
    await commands.send('ledger.create-account', { account_id: account, name: account });
    const key = await createApiKey(commands, account, 'main');
    await grant('sequence-1', '10.00');
    expect((await nextAnnouncement(0)).available).toBe('10.000000');

    const reservationId = await authorize(key.secret, '0.10');
    await grant('sequence-2', '1.00');
    const withHold = await nextAnnouncement(1);
    expect(withHold.available).toBe('10.900000');

    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '0.000000', {
        api_key_id: key.api_key_id,
        reservation_id: reservationId,
      }),
    ]);
    const settled = await nextAnnouncement(2);
    expect(settled).toMatchObject({ cause: { kind: 'usage' }, available: '11.000000' });
    expect(settled.sequence).toBe(withHold.sequence + 1);
    expect(applied(announcements()).available).toBe('11.000000');
  });

  it('no two announcements of an account share a sequence, paid or free', async () => {
    const seen = announcements().length;
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '0.000000'),
    ]);
    await nextAnnouncement(seen);
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '0.250000'),
    ]);
    await nextAnnouncement(seen + 1);
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '0.000000'),
    ]);
    const last = await nextAnnouncement(seen + 2);

    const sequences = announcements().map((balance) => balance.sequence);
    expect(sequences).toHaveLength(6);
    // One more with each transaction of the books (ADR 0059).
    expect(sequences).toEqual(sequences.map((_, index) => (sequences[0] ?? 0) + index));
    expect(last.available).toBe('10.750000');
    expect(applied(announcements())).toEqual(last);
  });
});
