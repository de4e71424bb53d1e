import { WebhookReceiver, eventually, queryDatabase } from '@tally/testing';
import type { CommandClient } from '@tally/testing';
import { AlertingHarness } from './alerting.harness';

type Reply = Record<string, unknown>;

/**
 * A Slack incoming-webhook URL is itself a secret: whoever reads it can post to the channel.
 * So are the tokens other receivers take in their path or query. Alerting keeps the URL to
 * deliver to; what it shows back masks them, and the masked form sent back keeps the URL.
 */
describe("a channel's secret URL is never shown back", () => {
  const alerting = new AlertingHarness();
  const receiver = new WebhookReceiver();
  let commands: CommandClient;
  const send = (pattern: string, payload: Reply) => commands.send<Reply>(pattern, payload);

  const SLACK_SECRET = 'q8Z3kL0vN5tR2wY7mB4xWXYZ';
  const QUERY_TOKEN = 'tok0123456789abcdefQRST';

  beforeAll(async () => {
    await receiver.start();
    await alerting.start();
    commands = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
    await receiver.stop();
  });

  it('a Slack URL: its secret path segment is masked in the reply and the list, and delivery uses the whole URL', async () => {
    const account = 'acct_slack_secret';
    const path = `/services/T0AAAAAAA/B0BBBBBBB/${SLACK_SECRET}`;
    const created = await send('alerting.set-channel', {
      account_id: account,
      type: 'slack',
      url: receiver.endpoint(path),
    });
    const masked = receiver.url('/services/T0AAAAAAA/B0BBBBBBB/***WXYZ');
    expect(created['url']).toBe(masked);
    const listed = await send('alerting.list-channels', { account_id: account });
    expect(JSON.stringify(listed)).not.toContain(SLACK_SECRET);
    expect(listed['items']).toEqual([expect.objectContaining({ url: masked })]);

    // A client that reads the channel and writes it back with other kinds keeps its URL.
    const updated = await send('alerting.set-channel', {
      account_id: account,
      channel_id: created['channel_id'],
      type: 'slack',
      url: masked,
      kinds: ['threshold'],
    });
    expect(updated).toMatchObject({ url: masked, kinds: ['threshold'] });
    await alerting.crossHalf(account);
    await eventually(() => expect(receiver.at(path)).toHaveLength(1));

    // Turned into a signed webhook with the masked URL, it still posts to the whole one.
    await send('alerting.set-channel', {
      account_id: account,
      channel_id: created['channel_id'],
      type: 'webhook',
      url: masked,
    });
    const [stored] = await queryDatabase<{ target: string }>(
      alerting.isolation.databaseUrl,
      `SELECT target FROM "${alerting.isolation.schema('alerting')}".channels WHERE channel_id = $1`,
      [created['channel_id']],
    );
    expect(stored?.target).toBe(receiver.url(path));
  });

  it("a webhook URL's long query value is masked, a short one and the path kept", async () => {
    const created = await send('alerting.set-channel', {
      account_id: 'acct_query_token',
      type: 'webhook',
      url: receiver.endpoint(`/hooks/tally?token=${QUERY_TOKEN}&env=prod`),
      signing_secret: 'whsec_0123456789abcdef',
    });
    expect(created['url']).toBe(receiver.url('/hooks/tally?token=***QRST&env=prod'));
    const listed = await send('alerting.list-channels', { account_id: 'acct_query_token' });
    expect(JSON.stringify(listed)).not.toContain(QUERY_TOKEN);
  });
});
