import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, usageRated } from '@tally/testing';
import { AdminHarness } from './admin.harness';

interface Delivery {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawBody: string;
}
type Item = Record<string, unknown>;
interface Page<T = Item> {
  items: T[];
  next_cursor: string | null;
}

function only<T>(items: readonly T[]): T {
  const [item] = items;
  if (items.length !== 1 || item === undefined) throw new Error(`${items.length} items, not one`);
  return item;
}

/** A webhook endpoint that records what alerting delivers. */
async function webhookReceiver(): Promise<{ server: Server; url: string; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        headers: request.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
  };
}

/** Admin's alert routes against the real ledger and alerting services. */
describe('alerts and alert channels end to end', () => {
  const harness = new AdminHarness({}, ['ledger', 'alerting']);
  const account = 'acct_alerted';
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let channelId: string;
  let secret: string;

  beforeAll(async () => {
    receiver = await webhookReceiver();
    await harness.start();
    expect(
      (
        await harness.call('POST', '/v1/accounts', {
          body: { account_id: account, name: 'Alerted' },
        })
      ).status,
    ).toBe(201);
    const budget = await harness.call('PUT', `/v1/accounts/${account}/budget`, {
      body: { period: 'monthly', limit: '10.00', hard_limit: false },
    });
    expect(budget.status).toBe(200);
  });
  afterAll(async () => {
    await harness.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('adds a webhook channel whose generated secret is shown once', async () => {
    const created = await harness.call<Item>('PUT', `/v1/accounts/${account}/alert-channels`, {
      body: { type: 'webhook', url: receiver.url, kinds: ['threshold'] },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      type: 'webhook',
      url: receiver.url,
      kinds: ['threshold'],
    });
    channelId = String(created.body['channel_id']);
    secret = String(created.body['signing_secret']);
    expect(secret).toMatch(/^whsec_/);
    const listed = await harness.call<Page>('GET', `/v1/accounts/${account}/alert-channels`);
    expect(listed.body.items).toEqual([
      {
        channel_id: channelId,
        type: 'webhook',
        url: receiver.url,
        kinds: ['threshold'],
        custom_thresholds: [],
      },
    ]);
    expect(listed.text).not.toContain(secret);
    const one = await harness.call('GET', `/v1/accounts/${account}/alert-channels/${channelId}`);
    expect(one.body).toEqual(listed.body.items[0]);
  });

  it('lists the alert the spend fired, delivered signed to the channel, and its resolution', async () => {
    // 8.00 of 10.00 also crosses the soft limit: that alert is listed too, but the channel wants
    // threshold alerts only. Set seconds ago, the budget projects its 8.00: no overrun (ADR 0099).
    await harness.admin.kafka.produceJson(harness.topic('usage.rated'), account, [
      usageRated(account, '8.000000'),
    ]);
    const fired = await eventually(async () => {
      const page = await harness.call<Page>(
        'GET',
        `/v1/accounts/${account}/alerts?state=fired&kind=threshold`,
      );
      expect(page.body.items).toHaveLength(1);
      return only(page.body.items);
    }, 60_000);
    expect(fired).toMatchObject({
      kind: 'threshold',
      state: 'fired',
      level: 'ORANGE',
      percent: 80,
      resolves: null,
    });
    const delivery = await eventually(() => {
      expect(receiver.deliveries).toHaveLength(1);
      return only(receiver.deliveries);
    }, 30_000);
    const [t, v1] = String(delivery.headers['tally-signature'])
      .split(',')
      .map((part) => part.split('=')[1]);
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${delivery.rawBody}`).digest('hex'));
    expect(JSON.parse(delivery.rawBody)).toMatchObject({ id: fired['alert_id'], level: 'ORANGE' });
    const delivered = await eventually(async () => {
      const page = await harness.call<Page>('GET', `/v1/accounts/${account}/alert-deliveries`);
      const ofFired = page.body.items.filter((item) => item['alert_id'] === fired['alert_id']);
      expect(ofFired).toEqual([expect.objectContaining({ status: 'delivered' })]);
      // The alerts the channel does not want have no delivery to list (they are in …/alerts).
      expect(page.body.items.map((item) => item['alert_id'])).toEqual([fired['alert_id']]);
      return only(ofFired);
    }, 30_000);
    expect(delivered).toMatchObject({ channel_id: channelId, attempts: 1 });

    const credit = await harness.call('POST', `/v1/accounts/${account}/credits`, {
      body: { amount: '20.00', kind: 'grant', reason: 'relief', idempotency_key: 'relief-1' },
    });
    expect(credit.status).toBe(201);
    const resolved = await eventually(async () => {
      const page = await harness.call<Page>(
        'GET',
        `/v1/accounts/${account}/alerts?state=resolved&kind=threshold`,
      );
      expect(page.body.items).toHaveLength(1);
      return only(page.body.items);
    }, 60_000);
    expect(resolved).toMatchObject({
      kind: 'threshold',
      state: 'resolved',
      resolves: fired['alert_id'],
    });
  });

  it('sets, reads and deletes a channel by id, and passes alerting refusals on', async () => {
    const replaced = await harness.call(
      'PUT',
      `/v1/accounts/${account}/alert-channels/${channelId}`,
      {
        body: {
          type: 'webhook',
          url: `${receiver.url}?v=2`,
          custom_thresholds: [{ amount: '25.00' }],
        },
      },
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      channel_id: channelId,
      url: `${receiver.url}?v=2`,
      custom_thresholds: [{ amount: '25.000000' }],
    });
    expect(replaced.body['signing_secret']).toBeUndefined();
    const refused = await harness.call('PUT', `/v1/accounts/${account}/alert-channels`, {
      body: { type: 'webhook', url: receiver.url, custom_thresholds: [{ percent: 150 }] },
    });
    expect([refused.status, refused.body['error_code']]).toEqual([422, 'VALIDATION_FAILED']);
    const deleted = await harness.call(
      'DELETE',
      `/v1/accounts/${account}/alert-channels/${channelId}`,
    );
    expect([deleted.status, deleted.body]).toEqual([200, { deleted: true }]);
    const gone = await harness.call('GET', `/v1/accounts/${account}/alert-channels/${channelId}`);
    expect([gone.status, gone.body['error_code']]).toEqual([404, 'CHANNEL_NOT_FOUND']);
    const again = await harness.call(
      'DELETE',
      `/v1/accounts/${account}/alert-channels/${channelId}`,
    );
    expect([again.status, again.body['error_code']]).toEqual([404, 'CHANNEL_NOT_FOUND']);
  });
});
