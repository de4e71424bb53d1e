import { hourOf } from '@tally/budget-domain';
import type { AlertFired, DeadLetterRecord } from '@tally/budget-domain';
import { eventually, queryDatabase, usageTransaction } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { payment, topUpStatus } from './alerting.fixtures';
import { AlertingHarness } from './alerting.harness';

type Reply = Record<string, unknown>;
const HOUR_MS = 3_600_000;

describe('alerting with private webhook URLs refused and no SMTP', () => {
  const alerting = new AlertingHarness({ ALERTING_BLOCK_PRIVATE_URLS: '1' });
  let commands: CommandClient;
  let alerts: TopicRecorder;
  const send = (pattern: string, payload: Reply) => commands.send<Reply>(pattern, payload);
  const of = (account: string) =>
    alerts.json<AlertFired>().filter((alert) => alert.account_id === account);

  beforeAll(async () => {
    await alerting.start();
    commands = await alerting.commands();
    alerts = await alerting.kafka.record(alerting.topic('alerts.fired'));
  });
  afterAll(async () => {
    await alerting.stop();
  });

  describe('channel commands', () => {
    it('refuses URLs that are not http(s), and loopback or private ones, also after DNS', async () => {
      const webhook = (url: string) =>
        send('alerting.set-channel', { account_id: 'acct_cmd', type: 'webhook', url });
      const notAllowed = {
        error_code: 'URL_NOT_ALLOWED',
        message:
          'url points to a loopback, private or link-local address, which this installation refuses',
      };
      expect(await webhook('http://127.0.0.1:9/hook')).toEqual(notAllowed);
      expect(await webhook('http://[::1]:9/hook')).toEqual(notAllowed);
      expect(await webhook('http://169.254.169.254/latest/meta-data')).toEqual(notAllowed);
      expect(await webhook('http://localhost:9/hook')).toEqual(notAllowed);
      expect(await webhook('ftp://93.184.215.14/hook')).toEqual({
        error_code: 'INVALID_URL',
        message: 'url must be an http or https URL',
      });
      expect(await webhook('not a url')).toEqual({
        error_code: 'INVALID_URL',
        message: 'url is not a valid URL',
      });
    });

    it('generates a signing secret once, keeps it on update, and never lists it', async () => {
      const created = await send('alerting.set-channel', {
        account_id: 'acct_cmd',
        type: 'webhook',
        url: 'https://tally:hunter2@93.184.215.14/hooks/tally',
        custom_thresholds: [{ percent: 60 }, { amount: '25.5' }],
      });
      expect(created).toEqual({
        channel_id: expect.stringMatching(/^ch_/),
        type: 'webhook',
        url: 'https://tally:***@93.184.215.14/hooks/tally',
        kinds: [
          'threshold',
          'soft_limit',
          'hard_limit',
          'projected_overrun',
          'auto_topup_failed',
          'auto_topup_paused',
          'anomaly',
          'custom_threshold',
        ],
        custom_thresholds: [{ percent: 60 }, { amount: '25.500000' }],
        signing_secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
      });
      const updated = await send('alerting.set-channel', {
        account_id: 'acct_cmd',
        channel_id: created['channel_id'],
        type: 'webhook',
        url: 'https://93.184.215.14/hooks/v2',
        kinds: ['threshold', 'threshold', 'anomaly'],
      });
      expect(updated).toEqual({
        channel_id: created['channel_id'],
        type: 'webhook',
        url: 'https://93.184.215.14/hooks/v2',
        kinds: ['threshold', 'anomaly'],
        custom_thresholds: [],
      });
      const [stored] = await queryDatabase<{ signing_secret: string }>(
        alerting.isolation.databaseUrl,
        `SELECT signing_secret FROM "${alerting.isolation.schema('alerting')}".channels WHERE channel_id = $1`,
        [created['channel_id']],
      );
      expect(stored!.signing_secret).toBe(created['signing_secret']);
      const own = await send('alerting.set-channel', {
        account_id: 'acct_cmd',
        channel_id: 'ch_own',
        type: 'webhook',
        url: 'https://93.184.215.14/own',
        signing_secret: 'an-own-secret-of-the-tenant',
      });
      expect(own).toMatchObject({ channel_id: 'ch_own' });
      expect(own['signing_secret']).toBeUndefined();

      const listed = await send('alerting.list-channels', { account_id: 'acct_cmd' });
      expect((listed['items'] as Reply[]).map((item) => item['channel_id'])).toEqual([
        created['channel_id'],
        'ch_own',
      ]);
      const text = JSON.stringify(listed);
      expect(text).not.toContain('whsec_');
      expect(text).not.toContain('an-own-secret');
      expect(text).not.toContain('signing_secret');
      expect(await send('alerting.list-channels', { account_id: 'acct_other' })).toEqual({
        items: [],
      });
    });

    it('refuses what does not fit, with the reason', async () => {
      const base = { account_id: 'acct_cmd', type: 'webhook', url: 'https://93.184.215.14/x' };
      expect(
        await send('alerting.set-channel', { ...base, custom_thresholds: [{ percent: 150 }] }),
      ).toEqual({
        error_code: 'VALIDATION_FAILED',
        message: 'custom_thresholds: percent must be a whole number from 1 to 100, got 150',
      });
      expect(await send('alerting.set-channel', { ...base, kinds: ['nope'] })).toMatchObject({
        error_code: 'VALIDATION_FAILED',
      });
      expect(
        await send('alerting.set-channel', {
          ...base,
          type: 'slack',
          signing_secret: 'x'.repeat(20),
        }),
      ).toEqual({
        error_code: 'VALIDATION_FAILED',
        message: 'signing_secret applies to webhook channels only',
      });
      expect(
        await send('alerting.set-channel', { account_id: 'acct_cmd', type: 'email', email: 'ops' }),
      ).toEqual({
        error_code: 'INVALID_EMAIL',
        message: 'email must be one address such as ops@example.com',
      });
      expect(
        await send('alerting.set-channel', {
          account_id: 'acct_cmd',
          type: 'email',
          email: 'ops@example.com',
        }),
      ).toEqual({
        error_code: 'EMAIL_NOT_CONFIGURED',
        message: 'email channels need ALERTING_SMTP_URL, which this installation does not set',
      });
      expect(await send('alerting.set-channel', { type: 'webhook' })).toMatchObject({
        error_code: 'VALIDATION_FAILED',
      });
    });

    it('deletes a channel of the account once; another account cannot', async () => {
      expect(
        await send('alerting.delete-channel', { account_id: 'acct_other', channel_id: 'ch_own' }),
      ).toEqual({
        error_code: 'CHANNEL_NOT_FOUND',
        message: 'account acct_other has no channel ch_own',
      });
      expect(
        await send('alerting.delete-channel', { account_id: 'acct_cmd', channel_id: 'ch_own' }),
      ).toEqual({ deleted: true });
      expect(
        await send('alerting.delete-channel', { account_id: 'acct_cmd', channel_id: 'ch_own' }),
      ).toMatchObject({ error_code: 'CHANNEL_NOT_FOUND' });
    });
  });

  describe('usage and top-up facts', () => {
    it('an hour of spend far above the trailing mean fires an anomaly, a normal later hour resolves it; rollups are per hour', async () => {
      const account = 'acct_spiky';
      const spikeHour = hourOf(new Date(Date.now() - HOUR_MS));
      const at = (hoursFromSpike: number, minute: number) =>
        new Date(spikeHour.getTime() + hoursFromSpike * HOUR_MS + minute * 60_000).toISOString();
      const history = Array.from({ length: 24 }, (_, i) => i - 24).flatMap((hour) => [
        usageTransaction(account, [{ charged: '0.25', occurred_at: at(hour, 10) }]),
        usageTransaction(account, [{ charged: '0.25', occurred_at: at(hour, 40) }]),
      ]);
      // The hour's spend is what the ledger charged, line by line (ADR 0168).
      const topic = alerting.topic('ledger.transactions');
      await alerting.kafka.produceJson(topic, account, history);
      await alerting.kafka.produceJson(topic, account, [
        usageTransaction(account, [{ charged: '1.50', occurred_at: at(0, 5) }]),
        usageTransaction(account, [{ charged: '1.50', occurred_at: at(0, 6) }]),
      ]);
      await eventually(() => expect(of(account)).toHaveLength(1));
      expect(of(account)[0]).toEqual({
        schema_version: 1,
        id: expect.stringMatching(/^alrt_/),
        account_id: account,
        api_key_id: null,
        kind: 'anomaly',
        state: 'fired',
        level: 'GREEN',
        percent: 0,
        amount: '3.000000',
        period_start: spikeHour.toISOString(),
        message: `acct_spiky: 3.00 USD spent in the hour from ${spikeHour.toISOString()}, 6x the trailing 24-hour mean of 0.50 USD`,
        at: expect.any(String),
      });
      await alerting.kafka.produceJson(topic, account, [
        usageTransaction(account, [{ charged: '0.10', occurred_at: at(1, 1) }]),
      ]);
      await eventually(() => expect(of(account)).toHaveLength(2));
      expect(of(account)[1]).toMatchObject({
        kind: 'anomaly',
        state: 'resolved',
        resolves: of(account)[0]!.id,
      });
      const [rollups] = await queryDatabase<{ hours: number; events: number; cost: string }>(
        alerting.isolation.databaseUrl,
        `SELECT count(*)::int AS hours, sum(events)::int AS events, sum(cost)::text AS cost
         FROM "${alerting.isolation.schema('alerting')}".usage_rollups WHERE account_id = $1`,
        [account],
      );
      expect(rollups).toEqual({ hours: 26, events: 51, cost: '15.100000000000' });
    });

    it('auto top-up paused and failed fire once and resolve when it runs again or credit is bought', async () => {
      const account = 'acct_topup';
      const statusTopic = alerting.topic('topup.status-changed');
      const paymentsTopic = alerting.topic('payments.events');
      await alerting.kafka.produceJson(statusTopic, account, [
        topUpStatus(account, 1, 'pending'),
        topUpStatus(account, 2, 'paused'),
        topUpStatus(account, 2, 'paused'),
      ]);
      await alerting.kafka.produceJson(paymentsTopic, account, [
        payment(account, 'pay_1', 'credit_failed', 'auto'),
        payment(account, 'pay_2', 'credit_failed', 'auto'),
        payment(account, 'pay_3', 'credit_failed', 'manual'),
      ]);
      await eventually(() => expect(of(account)).toHaveLength(2));
      expect(
        of(account)
          .map((a) => `${a.state} ${a.kind} ${a.amount ?? '-'} ${a.message}`)
          .sort(),
      ).toEqual([
        'fired auto_topup_failed 30.000000 acct_topup: auto top-up of 30.00 CHF failed',
        'fired auto_topup_paused - acct_topup: auto top-up is paused after a failed charge',
      ]);
      await alerting.kafka.produceJson(statusTopic, account, [
        topUpStatus(account, 1, 'paused'),
        topUpStatus(account, 3, 'idle'),
      ]);
      await alerting.kafka.produceJson(paymentsTopic, account, [
        payment(account, 'pay_4', 'credit_purchased', 'manual'),
      ]);
      await eventually(() => expect(of(account)).toHaveLength(4));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        of(account)
          .slice(2)
          .map((a) => `${a.state} ${a.kind}`)
          .sort(),
      ).toEqual(['resolved auto_topup_failed', 'resolved auto_topup_paused']);
    });

    it('auto top-up paused after a lost dispute fires auto_topup_paused saying so, and its refund fires nothing else (ADR 0157)', async () => {
      const account = 'acct_topup_disputed';
      const paused = topUpStatus(account, 1, 'paused');
      await alerting.kafka.produceJson(alerting.topic('topup.status-changed'), account, [
        { ...paused, auto_topup: { ...paused.auto_topup, pause_reason: 'dispute_lost' } },
      ]);
      await alerting.kafka.produceJson(alerting.topic('payments.events'), account, [
        payment(account, 'topup:e1:refunded:dp_1', 'credit_refunded', 'manual'),
      ]);
      await eventually(() => expect(of(account)).toHaveLength(1));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(of(account).map((a) => `${a.state} ${a.kind} ${a.message}`)).toEqual([
        'fired auto_topup_paused acct_topup_disputed: auto top-up is paused after a card payment was disputed and lost',
      ]);
      await alerting.kafka.produceJson(alerting.topic('topup.status-changed'), account, [
        topUpStatus(account, 2, 'idle'),
      ]);
      await eventually(() => expect(of(account)).toHaveLength(2));
      expect(of(account)[1]).toMatchObject({ kind: 'auto_topup_paused', state: 'resolved' });
    });

    it('a failed refund given back (a restoration) leaves auto_topup_failed fired; a purchase resolves it', async () => {
      const account = 'acct_topup_restored';
      await alerting.kafka.produceJson(alerting.topic('payments.events'), account, [
        payment(account, 'pay_r1', 'credit_failed', 'auto'),
        // The credit of an earlier payment's refund that failed comes back: no payment was made.
        {
          ...payment(account, 'topup:e1:restored:re_1', 'credit_purchased', 'auto'),
          restores_refund: 're_1',
        },
        payment(account, 'pay_r2', 'credit_failed', 'auto'),
        payment(account, 'pay_r3', 'credit_purchased', 'manual'),
      ]);
      await eventually(() =>
        expect(of(account).map((a) => `${a.state} ${a.kind}`)).toContain(
          'resolved auto_topup_failed',
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(of(account).map((a) => `${a.state} ${a.kind}`)).toEqual([
        'fired auto_topup_failed',
        'resolved auto_topup_failed',
      ]);
    });

    it('a record it cannot read is dead-lettered with a reason, and the next one is applied', async () => {
      const deadLetters = await alerting.kafka.record(alerting.topic('usage.dead-letter'));
      await alerting.kafka.produce(alerting.topic('topup.status-changed'), [
        { key: 'acct_bad', value: 'not json' },
        { key: 'acct_bad', value: JSON.stringify(topUpStatus('acct_bad', 1, 'no_payment_method')) },
      ]);
      const [deadLetter] = await deadLetters.waitForCount<DeadLetterRecord>(1);
      expect(deadLetter).toMatchObject({
        source_topic: alerting.topic('topup.status-changed'),
        key: 'acct_bad',
        value: Buffer.from('not json').toString('base64'),
        reason: 'invalid_json',
        service: 'alerting',
      });
      await eventually(() =>
        expect(of('acct_bad').map((a) => a.message)).toEqual([
          'acct_bad: auto top-up is paused: no payment method is saved',
        ]),
      );
    });
  });
});
