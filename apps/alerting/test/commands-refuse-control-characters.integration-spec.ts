import type { CommandClient } from '@tally/testing';
import { AlertingHarness } from './alerting.harness';

type Reply = Record<string, unknown>;

describe('channel commands with a control character in their text', () => {
  // An SMTP URL that is never connected to: email channels are accepted, nothing is sent.
  const alerting = new AlertingHarness({ ALERTING_SMTP_URL: 'smtp://127.0.0.1:9' });
  let commands: CommandClient;
  const send = (pattern: string, payload: Reply) => commands.send<Reply>(pattern, payload);

  beforeAll(async () => {
    await alerting.start();
    commands = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
  });

  it('refuse it with the field’s own code, not INTERNAL_ERROR (PostgreSQL cannot store a NUL)', async () => {
    const webhook = { type: 'webhook', url: 'https://hooks.example.com/tally' };
    expect(await send('alerting.set-channel', { account_id: 'acct_\u0000x', ...webhook })).toEqual({
      error_code: 'VALIDATION_FAILED',
      message: expect.stringContaining('account_id'),
    });
    expect(
      await send('alerting.set-channel', {
        account_id: 'acct_nul',
        ...webhook,
        signing_secret: 'whsec_0123456789\u0000abcdef',
      }),
    ).toEqual({
      error_code: 'VALIDATION_FAILED',
      message: expect.stringContaining('signing_secret'),
    });
    expect(
      await send('alerting.set-channel', {
        account_id: 'acct_nul',
        type: 'email',
        email: 'ops\u0000@example.com',
      }),
    ).toEqual({
      error_code: 'INVALID_EMAIL',
      message: 'email must be one address such as ops@example.com',
    });
    expect(await send('alerting.history', { account_id: 'acct_\u0000x' })).toEqual({
      error_code: 'VALIDATION_FAILED',
      message: expect.stringContaining('account_id'),
    });
    expect(await send('alerting.list-channels', { account_id: 'acct_nul' })).toEqual({
      items: [],
    });
  });

  it('a history cursor that is not one the command returned is INVALID_CURSOR, also with a NUL inside', async () => {
    const forged = Buffer.from(JSON.stringify(['1', 'dlv_\u0000'])).toString('base64url');
    expect(await send('alerting.history', { account_id: 'acct_nul', cursor: forged })).toEqual({
      error_code: 'INVALID_CURSOR',
      message: 'cursor is not one this command returned',
    });
  });
});
