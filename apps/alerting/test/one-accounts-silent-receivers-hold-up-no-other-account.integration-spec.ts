import { eventually } from '@tally/testing';
import { alertingWithReceiver, webhookChannel } from './alerting.harness';

// Long, so that the other account's alert, out in about a second, is far from it on a loaded
// machine; without the per-account share it waited for this timeout.
const TIMEOUT_MS = 20_000;
/** As many silent channels as an instance has delivery slots by default (16; an account may have 20). */
const SILENT_CHANNELS = 16;

describe('one account’s silent receivers and another account’s alert', () => {
  // The default ALERTING_DELIVERY_CONCURRENCY (16): nothing here is tuned to make it fail.
  const { alerting, receiver, commands } = alertingWithReceiver({
    ALERTING_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
  });

  const webhook = (account: string, path: string, behavior: 'hang' | 'ok') =>
    webhookChannel(commands(), receiver, account, { path, behavior: { kind: behavior } });

  it('an account with 16 webhooks that never answer does not hold up another account’s delivery', async () => {
    const noisy = 'acct_silent_many';
    const silentPaths = Array.from({ length: SILENT_CHANNELS }, (_, i) => `/${noisy}/${i}`);
    for (const path of silentPaths) await webhook(noisy, path, 'hang');
    await webhook('acct_quiet_one', '/acct_quiet_one', 'ok');

    await alerting.crossHalf(noisy);
    const silent = () =>
      receiver.requests.filter((request) => request.path.startsWith(`/${noisy}/`));
    await eventually(() => expect(silent().length).toBeGreaterThanOrEqual(1));
    const firstSilentStarted = Math.min(...silent().map((request) => request.receivedAt));
    // The worker claims what it may of the silent account's 16 deliveries in one round.
    await new Promise((resolve) => setTimeout(resolve, 500));

    await alerting.crossHalf('acct_quiet_one');
    await eventually(() => expect(receiver.at('/acct_quiet_one')).toHaveLength(1), 40_000);
    const [quiet] = receiver.at('/acct_quiet_one');
    expect(quiet!.status).toBe(200);
    expect(quiet!.signatureValid).toBe(true);
    // The quiet account's alert goes out beside the silent attempts, not once the first of
    // them has timed out and freed a slot.
    expect(quiet!.receivedAt - firstSilentStarted).toBeLessThan(TIMEOUT_MS);
  });
});
