import { WebhookReceiver, eventually } from '@tally/testing';
import type { CommandClient } from '@tally/testing';
import { AlertingHarness, webhookChannel } from './alerting.harness';

type History = { items: Array<{ alert_id: string; channel_id: string }> };

/**
 * A channel id is the caller's to choose (`alerting.set-channel` with `channel_id`), so one
 * tenant can name its channel as another tenant's is named. Channels are the account's own:
 * each account's alerts go to its own receiver only, signed with its own secret.
 */
describe('a channel id another account also uses', () => {
  const alerting = new AlertingHarness();
  const receiver = new WebhookReceiver();
  let commands: CommandClient;

  const channel = async (account: string, path: string, channelId?: string) => {
    const settings = channelId === undefined ? {} : { channel_id: channelId };
    return (await webhookChannel(commands, receiver, account, { path, settings })).channel_id;
  };
  const history = (account: string) =>
    commands.send<History>('alerting.history', { account_id: account });

  beforeAll(async () => {
    await receiver.start();
    await alerting.start();
    commands = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
    await receiver.stop();
  });

  it('sends each account’s alert to its own receiver only, signed with its own secret', async () => {
    const victim = 'acct_channel_owner';
    const squatter = 'acct_channel_squatter';
    const channelId = await channel(victim, '/owner');
    expect(await channel(squatter, '/squatter', channelId)).toBe(channelId);

    await alerting.crossHalf(victim);
    await eventually(() => expect(receiver.at('/owner')).toHaveLength(1), 30_000);
    await alerting.crossHalf(squatter);
    await eventually(() => expect(receiver.at('/squatter')).toHaveLength(1), 30_000);

    const [owned] = receiver.at('/owner');
    const [squatted] = receiver.at('/squatter');
    expect([owned?.signatureValid, squatted?.signatureValid]).toEqual([true, true]);
    expect(JSON.parse(owned?.rawBody ?? '{}')).toMatchObject({ account_id: victim });
    expect(JSON.parse(squatted?.rawBody ?? '{}')).toMatchObject({ account_id: squatter });
    const victimHistory = (await history(victim)).items;
    const squatterHistory = (await history(squatter)).items;
    expect(victimHistory).toHaveLength(1);
    expect(squatterHistory).toHaveLength(1);
    expect(victimHistory[0]?.alert_id).not.toBe(squatterHistory[0]?.alert_id);
    // Nothing more arrives: neither alert went to the other account's receiver.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([receiver.at('/owner').length, receiver.at('/squatter').length]).toEqual([1, 1]);
  });
});
