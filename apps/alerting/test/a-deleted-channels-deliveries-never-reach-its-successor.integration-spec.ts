import { eventually, queryDatabase } from '@tally/testing';
import { alertingWithReceiver, webhookChannel } from './alerting.harness';

type Reply = Record<string, unknown>;
type History = { items: Reply[]; next_cursor: string | null };

describe('a deleted channel’s deliveries', () => {
  // The first retry comes 2.5 to 5 s after the first attempt.
  const { alerting, receiver, commands } = alertingWithReceiver({ ALERTING_RETRY_BASE_MS: '5000' });

  it('end dead when it is deleted, and never reach a channel created again under its id', async () => {
    const account = 'acct_channel_reused';
    const channelId = 'ops-pager';
    const setChannel = (path: string, behavior: 'always-fail' | 'ok') =>
      webhookChannel(commands(), receiver, account, {
        path,
        behavior: { kind: behavior },
        settings: { channel_id: channelId },
      });
    const history = () => commands().send<History>('alerting.history', { account_id: account });

    await setChannel('/old-pager', 'always-fail');
    await alerting.crossHalf(account);
    await eventually(async () =>
      expect((await history()).items).toEqual([
        expect.objectContaining({ channel_id: channelId, status: 'retrying', attempts: 1 }),
      ]),
    );
    const [delivery] = (await history()).items;

    expect(
      await commands().send('alerting.delete-channel', {
        account_id: account,
        channel_id: channelId,
      }),
    ).toEqual({ deleted: true });
    // ADR 0033: a deleted channel's pending deliveries are dead at once, not at their next try.
    expect((await history()).items).toEqual([
      expect.objectContaining({
        delivery_id: delivery!['delivery_id'],
        status: 'dead',
        attempts: 1,
        last_error: 'the channel was deleted',
      }),
    ]);

    // The tenant sets up a new pager under the same id before the old retry was due.
    await setChannel('/new-pager', 'ok');
    await new Promise((resolve) => setTimeout(resolve, 6500));
    expect(receiver.at('/old-pager')).toHaveLength(1);
    expect(receiver.at('/new-pager')).toEqual([]);
    const deadLetters = await queryDatabase<Reply>(
      alerting.isolation.databaseUrl,
      `SELECT delivery_id, channel_id, attempts, last_error
       FROM "${alerting.isolation.schema('alerting')}".delivery_dead_letters WHERE account_id = $1`,
      [account],
    );
    expect(deadLetters).toEqual([
      {
        delivery_id: delivery!['delivery_id'],
        channel_id: channelId,
        attempts: 1,
        last_error: 'the channel was deleted',
      },
    ]);
  });
});
