import { eventually, queryDatabase } from '@tally/testing';
import { alertingWithReceiver, webhookChannel } from './alerting.harness';

type Reply = Record<string, unknown>;
type History = { items: Reply[]; next_cursor: string | null };

/** Waits of half to all of 3 s after the first attempt, 6 s after the second. */
const BASE_MS = 3000;
const LEASE_RAN_OUT = 'no outcome recorded before the lease ran out';

describe('a lease that runs out unrecorded', () => {
  const { alerting, receiver, commands } = alertingWithReceiver({
    ALERTING_RETRY_BASE_MS: String(BASE_MS),
    ALERTING_MAX_ATTEMPTS: '3',
  });
  const history = async (account: string) =>
    (await commands().send<History>('alerting.history', { account_id: account })).items;
  const deliveries = () => `"${alerting.isolation.schema('alerting')}".deliveries`;
  const webhook = async (account: string, behavior: 'always-fail' | 'hang') =>
    (await webhookChannel(commands(), receiver, account, { behavior: { kind: behavior } }))
      .channel_id;
  /**
   * What an instance that died mid-attempt leaves behind: once the delivery is due after
   * `attemptsMade` failed attempts, it claims the next one (counted, leased for 1 s) and never
   * records it. Returns when that lease runs out.
   */
  const crashMidAttempt = async (account: string, attemptsMade: number): Promise<number> => {
    const waiting = `account_id = $1 AND status = 'retrying' AND attempts = $2 AND lease_token IS NULL`;
    await eventually(
      async () =>
        expect(
          await queryDatabase(
            alerting.isolation.databaseUrl,
            `SELECT 1 FROM ${deliveries()} WHERE ${waiting}`,
            [account, attemptsMade],
          ),
        ).toHaveLength(1),
      30_000,
      20,
    );
    const claimed = await queryDatabase<{ lease_until: Date }>(
      alerting.isolation.databaseUrl,
      `UPDATE ${deliveries()} SET attempts = attempts + 1, lease_token = 'crashed-instance',
         lease_until = now() + interval '1 second', next_attempt_at = now()
       WHERE ${waiting} RETURNING lease_until`,
      [account, attemptsMade],
    );
    expect(claimed).toHaveLength(1);
    return claimed[0]!.lease_until.getTime();
  };
  const deadLetters = (account: string) =>
    queryDatabase<Reply>(
      alerting.isolation.databaseUrl,
      `SELECT attempts, last_error
       FROM "${alerting.isolation.schema('alerting')}".delivery_dead_letters WHERE account_id = $1`,
      [account],
    );

  it('counts as a failed attempt: the next one waits the retry schedule’s wait from when it ran out', async () => {
    const account = 'acct_crash_second';
    await webhook(account, 'always-fail');
    await alerting.crossHalf(account);
    const leaseRanOutAt = await crashMidAttempt(account, 1);

    await eventually(() => expect(receiver.at(`/${account}`)).toHaveLength(2), 30_000);
    // The third attempt, after the wait that follows a second failure: half to all of 6 s.
    const third = receiver.at(`/${account}`)[1]!.receivedAt;
    expect(third - leaseRanOutAt).toBeGreaterThanOrEqual(BASE_MS - 10);
    expect(third - leaseRanOutAt).toBeLessThan(2 * BASE_MS + 1500);
    await eventually(async () =>
      expect(await history(account)).toEqual([
        expect.objectContaining({
          status: 'dead',
          attempts: 3,
          last_error: expect.stringMatching(/answered HTTP 500$/),
        }),
      ]),
    );
    expect(await deadLetters(account)).toEqual([
      { attempts: 3, last_error: expect.stringMatching(/answered HTTP 500$/) },
    ]);
  });

  it('on the last attempt, ends the delivery dead and dead-lettered, with no attempt beyond the last', async () => {
    const account = 'acct_crash_last';
    await webhook(account, 'always-fail');
    await alerting.crossHalf(account);
    const leaseRanOutAt = await crashMidAttempt(account, 2);

    await eventually(async () =>
      expect(await history(account)).toEqual([
        expect.objectContaining({ status: 'dead', attempts: 3, last_error: LEASE_RAN_OUT }),
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, leaseRanOutAt + 1500 - Date.now()));
    expect(receiver.at(`/${account}`)).toHaveLength(2);
    expect(await history(account)).toEqual([
      expect.objectContaining({ status: 'dead', attempts: 3, last_error: LEASE_RAN_OUT }),
    ]);
    expect(await deadLetters(account)).toEqual([{ attempts: 3, last_error: LEASE_RAN_OUT }]);
  });

  it('a channel deleted mid-attempt stays dead: the attempt’s late outcome is not recorded', async () => {
    const account = 'acct_deleted_mid_attempt';
    const channelId = await webhook(account, 'hang');
    await alerting.crossHalf(account);
    await eventually(() => expect(receiver.at(`/${account}`)).toHaveLength(1));
    expect(
      await commands().send('alerting.delete-channel', {
        account_id: account,
        channel_id: channelId,
      }),
    ).toEqual({ deleted: true });
    const deleted = expect.objectContaining({
      status: 'dead',
      attempts: 1,
      last_error: 'the channel was deleted',
    });
    expect(await history(account)).toEqual([deleted]);
    // Past the hung attempt's 5 s timeout and its failure's recording.
    const sentAt = receiver.at(`/${account}`)[0]!.receivedAt;
    await new Promise((resolve) => setTimeout(resolve, sentAt + 5000 + 1500 - Date.now()));
    expect(await history(account)).toEqual([deleted]);
    expect(receiver.at(`/${account}`)).toHaveLength(1);
    expect(await deadLetters(account)).toEqual([
      { attempts: 1, last_error: 'the channel was deleted' },
    ]);
  });
});
