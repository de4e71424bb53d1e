import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CommandClient } from '@tally/testing';
import { postBody } from '../src/deliveries/http-post';
import { AlertingHarness } from './alerting.harness';

type Reply = Record<string, unknown>;

/**
 * Without ALERTING_BLOCK_PRIVATE_URLS a tenant may still name loopback and private receivers
 * (DESIGN 4), but never a link-local or cloud metadata address (ADR 0118). No alert fires here,
 * so nothing connects anywhere.
 */
describe('webhook URLs without the private-URL policy', () => {
  const alerting = new AlertingHarness();
  let commands: CommandClient;
  const account = 'acct_link_local';
  const webhook = (url: string) =>
    commands.send<Reply>('alerting.set-channel', { account_id: account, type: 'webhook', url });

  beforeAll(async () => {
    await alerting.start();
    commands = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
  });

  it('refuses link-local and cloud metadata addresses, and keeps loopback and private ones', async () => {
    const refused = {
      error_code: 'URL_NOT_ALLOWED',
      message:
        'url points to a link-local or cloud metadata address, which is never a webhook receiver',
    };
    for (const url of [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://169.254.170.2/v2/credentials',
      'http://[fe80::1]/hook',
      'http://[::ffff:169.254.169.254]/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://2852039166/latest/meta-data/',
    ]) {
      expect([url, await webhook(url)]).toEqual([url, refused]);
    }
    const slack = await commands.send<Reply>('alerting.set-channel', {
      account_id: account,
      type: 'slack',
      url: 'http://169.254.169.254/hook',
    });
    expect(slack).toEqual(refused);

    for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]:9/hook', 'http://10.0.0.1/hook']) {
      expect([url, await webhook(url)]).toEqual([
        url,
        expect.objectContaining({ channel_id: expect.stringMatching(/^ch_/), url }),
      ]);
    }
    const listed = await commands.send<{ items: Array<{ url: string }> }>(
      'alerting.list-channels',
      { account_id: account },
    );
    expect(listed.items.map((channel) => channel.url)).toEqual([
      'http://127.0.0.1:9/hook',
      'http://[::1]:9/hook',
      'http://10.0.0.1/hook',
    ]);
  });

  it('connects to a name only at an address the policy allows, on the lookup it connects with', async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      received.push(request.url ?? '');
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const post = (url: string, policy: 'public' | 'local-allowed') =>
      postBody(
        new URL(url),
        '{}',
        {},
        {
          deadline: { signal: AbortSignal.timeout(5_000), ms: 5_000 },
          policy,
        },
      ).then(String, (error: Error) => error.message);
    try {
      // localhost is a name: judged on what it resolves to, when the connection is made.
      // Refused first: a kept-alive socket of an allowed request would skip the lookup.
      expect(await post(`http://localhost:${port}/refused`, 'public')).toMatch(
        /^address (127\.0\.0\.1|::1) of the host is not public$/,
      );
      expect(await post(`http://localhost:${port}/allowed`, 'local-allowed')).toBe('204');
      expect(await post('http://169.254.169.254/latest/meta-data/', 'local-allowed')).toBe(
        'address 169.254.169.254 is not a webhook receiver',
      );
      expect(received).toEqual(['/allowed']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
