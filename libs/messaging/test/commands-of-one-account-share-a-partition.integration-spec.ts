import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { createServiceApp } from '@tally/platform';
import { CommandClient, KafkaTestClient, isolate } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { connectCommandServer, ensureTopics } from '../src';

@Controller()
class EchoController {
  @MessagePattern('test.keyed')
  echo(@Payload() payload: unknown) {
    return { echoed: payload };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

/**
 * DESIGN 2: every record is keyed by its account, so one account's records stay in order on one
 * partition. Commands had no key: two commands for one account (a request admin answered 504
 * for, then the caller's next one) could land on two partitions and run in either order.
 */
describe('commands of one account', () => {
  const isolation = isolate();
  const commandTopic = `test.keyed.${isolation.suffix}`;
  const kafka = new Kafka({
    clientId: 'keyed-commands-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  let app: INestApplication;
  let commands: CommandClient;
  let written: TopicRecorder;

  beforeAll(async () => {
    await ensureTopics(kafka, [commandTopic, `${commandTopic}.reply`], 6);
    await client.connect();
    written = await client.record(commandTopic);
    app = await createServiceApp(EchoModule, ['error', 'warn']);
    await app.init();
    connectCommandServer(
      app,
      {
        brokers: isolation.kafkaBrokers,
        clientId: 'keyed-commands-test',
        topicSuffix: isolation.suffix,
        partitions: 6,
        sessionTimeoutMs: 10_000,
      },
      'keyed-commands-test',
    );
    await app.startAllMicroservices();
    commands = await new CommandClient(isolation.kafkaBrokers, isolation.suffix, [
      'test.keyed',
    ]).connect();
  });

  afterAll(async () => {
    await commands?.close();
    await app?.close();
    await client.close();
    await client.deleteTopics(isolation.suffix);
  });

  it('are keyed by the account and written to one partition; a command without an account has no key', async () => {
    for (let n = 0; n < 12; n += 1) {
      const payload = { account_id: n % 2 === 0 ? 'acct_even' : 'acct_odd', n };
      expect(await commands.send('test.keyed', payload)).toEqual({ echoed: payload });
    }
    expect(await commands.send('test.keyed', { n: 12 })).toEqual({ echoed: { n: 12 } });

    await written.waitForCount(13);
    const records = written.messages.map(({ key, partition, value }) => ({
      key,
      partition,
      n: (JSON.parse(value?.toString('utf8') ?? '{}') as { n: number }).n,
    }));
    expect(records.map(({ key }) => key).sort()).toEqual([
      ...Array<string>(6).fill('acct_even'),
      ...Array<string>(6).fill('acct_odd'),
      null,
    ]);
    const partitionsOf = (key: string) =>
      new Set(records.filter((record) => record.key === key).map(({ partition }) => partition));
    expect(partitionsOf('acct_even').size).toBe(1);
    expect(partitionsOf('acct_odd').size).toBe(1);
    expect(records.filter(({ key }) => key === 'acct_even').map(({ n }) => n)).toEqual([
      0, 2, 4, 6, 8, 10,
    ]);
  });
});
