import { eventually } from '@tally/testing';
import { balanceChanged } from './alerting.fixtures';
import { alertingWithReceiver } from './alerting.harness';

describe('a resolution reaches a channel after the alert it resolves', () => {
  const { alerting, receiver, commands } = alertingWithReceiver({ ALERTING_RETRY_BASE_MS: '3000' });

  it('the fired alert’s first attempt fails and credit resolves it meanwhile: the receiver gets fired, then resolved', async () => {
    const account = 'acct_in_order';
    const path = `/${account}`;
    receiver.endpoint(path, { behavior: { kind: 'fail', times: 1 } });
    const reply = await commands().send<Record<string, unknown>>('alerting.set-channel', {
      account_id: account,
      type: 'webhook',
      url: receiver.url(path),
    });
    receiver.setSecret(path, reply['signing_secret'] as string);
    const produce = (records: unknown[]) =>
      alerting.kafka.produceJson(alerting.topic('ledger.balance-changed'), account, records);

    await produce([balanceChanged(account, 1, { used: '50' })]);
    await eventually(() => expect(receiver.at(path)).toHaveLength(1));
    // Credit brings spend back to 20 % while the YELLOW alert waits for its retry.
    await produce([balanceChanged(account, 2, { used: '50', credit: '30' })]);

    await eventually(() => expect(receiver.at(path)).toHaveLength(3), 20_000);
    const requests = receiver.at(path);
    expect(requests.map((request) => `${request.status} ${String(request.body['state'])}`)).toEqual(
      ['500 fired', '200 fired', '200 resolved'],
    );
    expect(requests[2]!.body['resolves']).toBe(requests[0]!.body['id']);
  });
});
