import type { CommandClient } from '@tally/testing';
import { AlertingHarness } from './alerting.harness';

type Reply = Record<string, unknown>;

describe('the per-account channel limit under concurrent commands', () => {
  const alerting = new AlertingHarness();
  let commands: CommandClient;
  const setChannel = (account: string, n: number) =>
    commands.send<Reply>('alerting.set-channel', {
      account_id: account,
      type: 'webhook',
      url: `http://127.0.0.1:9/hooks/${n}`,
    });

  beforeAll(async () => {
    await alerting.start();
    commands = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
  });

  it('an account with 18 channels sent six new ones at once gets two of them; four are refused', async () => {
    const account = 'acct_crowded';
    for (let n = 1; n <= 18; n++) {
      expect(await setChannel(account, n)).toMatchObject({
        channel_id: expect.stringMatching(/^ch_/),
      });
    }

    // Commands carry no key, so they spread over the partitions, which are handled concurrently.
    const replies = await Promise.all([19, 20, 21, 22, 23, 24].map((n) => setChannel(account, n)));

    const refused = replies.filter((reply) => reply['error_code'] !== undefined);
    expect(refused).toEqual(
      Array.from({ length: 4 }, () => ({
        error_code: 'TOO_MANY_CHANNELS',
        message: 'an account has at most 20 channels',
      })),
    );
    const { items } = await commands.send<{ items: unknown[] }>('alerting.list-channels', {
      account_id: account,
    });
    expect(items).toHaveLength(20);
  });
});
