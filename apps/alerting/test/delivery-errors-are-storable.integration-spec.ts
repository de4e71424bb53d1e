import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { eventually } from '@tally/testing';
import type { CommandClient } from '@tally/testing';
import { AlertingHarness } from './alerting.harness';

/**
 * An SMTP server that refuses every recipient with `answer`, byte for byte (smtp-server cleans
 * its answers; servers out there need not).
 */
function refusingSmtpServer(answer: string): Server {
  return createServer((socket) => {
    socket.write('220 refusing ESMTP\r\n');
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
        const command = pending.slice(0, 4).toUpperCase();
        pending = pending.slice(end + 2);
        if (command === 'RCPT') socket.write(`550 ${answer}\r\n`);
        else if (command === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
}

describe('a delivery whose receiver quotes a NUL', () => {
  const smtp = refusingSmtpServer('no mailbox \u0000 here');
  const alerting = new AlertingHarness({
    ALERTING_RETRY_BASE_MS: '100',
    ALERTING_MAX_ATTEMPTS: '2',
    ALERTING_EMAIL_FROM: 'alerts@example.test',
  });
  let commands: CommandClient;

  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    alerting.env['ALERTING_SMTP_URL'] = `smtp://127.0.0.1:${(smtp.address() as AddressInfo).port}`;
    await alerting.start();
    commands = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
    await new Promise((resolve) => smtp.close(resolve));
  });

  it('records each attempt with the error made storable, and ends dead', async () => {
    const account = 'acct_mail_nul';
    await commands.send('alerting.set-channel', {
      account_id: account,
      type: 'email',
      email: 'ops@example.test',
    });
    await alerting.crossHalf(account);
    // PostgreSQL refuses a NUL in text: an attempt whose error kept it could not be recorded,
    // and was made again at every lease's end, for good.
    await eventually(async () => {
      const { items } = await commands.send<{ items: Array<Record<string, unknown>> }>(
        'alerting.history',
        { account_id: account },
      );
      expect(items).toEqual([
        expect.objectContaining({
          channel_type: 'email',
          status: 'dead',
          attempts: 2,
          last_error:
            "SMTP 550: Can't send mail - all recipients were rejected: 550 no mailbox \uFFFD here",
        }),
      ]);
    });
  });
});
