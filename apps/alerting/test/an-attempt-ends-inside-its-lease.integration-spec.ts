import { WebhookReceiver, eventually } from '@tally/testing';
import type { Behavior, CommandClient } from '@tally/testing';
import { AlertingHarness, webhookChannel } from './alerting.harness';
import { StallingSmtpRelay } from './stalling-smtp-relay';

type Reply = Record<string, unknown>;
type History = { items: Reply[]; next_cursor: string | null };

/** The shortest lease alerting takes: the attempt's timeout plus its 10 s margin. */
const TIMEOUT_MS = 500;
const LEASE_MS = TIMEOUT_MS + 10_000;
/** A first session or answer that would outlast the lease, were the attempt not ended. */
const STALL_MS = LEASE_MS + 2_000;

describe('an attempt ends inside its lease, so a stalling receiver never gets an alert twice', () => {
  const relay = new StallingSmtpRelay((session) => (session === 0 ? STALL_MS : 0));
  const receiver = new WebhookReceiver();
  const alerting = new AlertingHarness({
    ALERTING_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
    ALERTING_RETRY_BASE_MS: '200',
    ALERTING_MAX_ATTEMPTS: '5',
  });
  let commands: CommandClient;

  const history = async (account: string) =>
    (await commands.send<History>('alerting.history', { account_id: account })).items;
  const webhook = (account: string, behavior: Behavior) =>
    webhookChannel(commands, receiver, account, { behavior });
  const sleepUntil = (at: number) =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

  beforeAll(async () => {
    await relay.start();
    await receiver.start();
    alerting.env['ALERTING_SMTP_URL'] = relay.url;
    await alerting.start();
    commands = await alerting.commands();
  });
  afterAll(async () => {
    await alerting.stop();
    await receiver.stop();
    await relay.stop();
  });

  it('an SMTP relay that trickles its first session past the lease: one mail, one session at a time', async () => {
    const account = 'acct_tarpit';
    await commands.send('alerting.set-channel', {
      account_id: account,
      type: 'email',
      email: 'ops@example.test',
    });
    await alerting.crossHalf(account);
    await eventually(() => expect(relay.sessionsStartedAt.length).toBeGreaterThanOrEqual(1));
    // Past the moment the stalled session would have finished, had it been left to run.
    await sleepUntil(relay.sessionsStartedAt[0]! + STALL_MS + 2_000);

    expect(relay.accepted).toHaveLength(1);
    expect(relay.maxOpen).toBe(1);
    expect(await history(account)).toEqual([
      expect.objectContaining({
        channel_type: 'email',
        status: 'delivered',
        attempts: 2,
        last_error: `SMTP: no answer within ${TIMEOUT_MS} ms`,
      }),
    ]);
  });

  it('webhooks that answer or trickle their first answer past the lease: one request at a time, ended at the timeout', async () => {
    await webhook('acct_slow_answer', { kind: 'slow', ms: STALL_MS, times: 1 });
    await webhook('acct_trickle', { kind: 'trickle', ms: STALL_MS, times: 1 });
    await alerting.crossHalf('acct_slow_answer');
    await alerting.crossHalf('acct_trickle');
    await eventually(() => {
      expect(receiver.at('/acct_slow_answer').length).toBeGreaterThanOrEqual(1);
      expect(receiver.at('/acct_trickle').length).toBeGreaterThanOrEqual(1);
    });
    const firstAt = Math.min(...receiver.requests.map((request) => request.receivedAt));
    await sleepUntil(firstAt + STALL_MS + 2_000);

    for (const account of ['acct_slow_answer', 'acct_trickle']) {
      const requests = receiver.at(`/${account}`);
      // The first try was cut at the timeout and retried under the same id; never two at once.
      expect([account, requests.length, receiver.maxInFlight.get(`/${account}`)]).toEqual([
        account,
        2,
        1,
      ]);
      expect(new Set(requests.map((request) => request.deliveryId)).size).toBe(1);
      expect(await history(account)).toEqual([
        expect.objectContaining({
          status: 'delivered',
          attempts: 2,
          last_error: `no answer within ${TIMEOUT_MS} ms`,
        }),
      ]);
    }
  });
});
