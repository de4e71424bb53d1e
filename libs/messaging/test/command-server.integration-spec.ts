import 'reflect-metadata';
import { Controller, Logger, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { IHeaders, Producer } from 'kafkajs';
import { createServiceApp } from '@tally/platform';
import { CommandClient, KafkaTestClient, eventually, isolate } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { connectCommandServer, ensureTopics } from '../src';

const handled: unknown[] = [];

@Controller()
class EchoController {
  @MessagePattern('test.echo')
  echo(@Payload() payload: unknown) {
    handled.push(payload);
    return { echoed: payload };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('CommandServer: any record on a command topic, never a crash', () => {
  const isolation = isolate();
  const commandTopic = `test.echo.${isolation.suffix}`;
  const replyTopic = `${commandTopic}.reply`;
  const factsTopic = `payments.events.${isolation.suffix}`;
  const kafka = new Kafka({
    clientId: 'command-server-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const unhandledRejections: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandledRejections.push(reason);
  const warnings: string[] = [];
  let producer: Producer;
  let app: INestApplication;
  let commands: CommandClient;
  let replies: TopicRecorder;
  let facts: TopicRecorder;

  const produceRaw = (value: string | Buffer | null, headers: IHeaders) =>
    producer.send({ topic: commandTopic, acks: -1, messages: [{ key: 'k', value, headers }] });
  const validHeaders = (correlationId: string): IHeaders => ({
    kafka_correlationId: correlationId,
    kafka_replyTopic: replyTopic,
    kafka_replyPartition: '0',
  });

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (message: unknown) {
      warnings.push(String(message));
    });
    // One partition: records are handled in the order they were produced.
    await ensureTopics(kafka, [commandTopic, replyTopic, factsTopic], 1);
    await client.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    facts = await client.record(factsTopic);
    replies = await client.record(replyTopic);
    app = await createServiceApp(EchoModule, ['error', 'warn']);
    await app.init();
    connectCommandServer(
      app,
      {
        brokers: isolation.kafkaBrokers,
        clientId: 'command-server-test',
        topicSuffix: isolation.suffix,
        partitions: 1,
        sessionTimeoutMs: 10_000,
      },
      'command-server-test',
    );
    await app.startAllMicroservices();
    commands = await new CommandClient(isolation.kafkaBrokers, isolation.suffix, [
      'test.echo',
    ]).connect();
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    jest.restoreAllMocks();
    await commands?.close();
    await app?.close();
    await producer?.disconnect();
    await client.close();
    await client.deleteTopics(isolation.suffix);
  });

  it('skips records with bad reply headers (logged with the reason), refuses bad values, and still answers a valid command', async () => {
    // The service answers before anything bad arrives (its consumer is assigned).
    expect(await commands.send('test.echo', { n: 0 })).toEqual({ echoed: { n: 0 } });

    const bad: Array<[string, IHeaders]> = [
      ['bad-topic', { ...validHeaders('c-bad-topic'), kafka_replyTopic: 'bad topic!' }],
      ['forged-fact', { ...validHeaders('c-forged'), kafka_replyTopic: factsTopic }],
      ['other-reply', { ...validHeaders('c-other'), kafka_replyTopic: `${factsTopic}.reply` }],
      ['no-reply-topic', { kafka_correlationId: 'c-none', kafka_replyPartition: '0' }],
      ['no-correlation', { kafka_replyTopic: replyTopic, kafka_replyPartition: '0' }],
      ['json-correlation', { ...validHeaders('x'), kafka_correlationId: '{"a":1}' }],
      ['binary-correlation', { ...validHeaders('x'), kafka_correlationId: Buffer.from([0, 255]) }],
      ['long-correlation', { ...validHeaders('x'), kafka_correlationId: 'c'.repeat(500) }],
      ['nan-partition', { ...validHeaders('c-nan'), kafka_replyPartition: 'abc' }],
      ['negative-partition', { ...validHeaders('c-neg'), kafka_replyPartition: '-1' }],
      ['float-partition', { ...validHeaders('c-float'), kafka_replyPartition: '1e3' }],
      ['far-partition', { ...validHeaders('c-far'), kafka_replyPartition: '7' }],
      ['twice', { ...validHeaders('c-twice'), kafka_replyTopic: [replyTopic, factsTopic] }],
    ];
    for (const [name, headers] of bad) await produceRaw(JSON.stringify({ bad: name }), headers);

    // Valid headers, values no handler should see: each gets a refusal on its reply topic.
    await produceRaw('not json at all', validHeaders('c-text'));
    await produceRaw(JSON.stringify({ pad: 'x'.repeat(100_000) }), validHeaders('c-huge'));
    await produceRaw('['.repeat(40) + ']'.repeat(40), validHeaders('c-deep'));
    await produceRaw(Buffer.from([0, 1, 2, 3]), validHeaders('c-binary'));

    // One partition, so this reply comes after every record above was handled.
    expect(await commands.send('test.echo', { n: 1 })).toEqual({ echoed: { n: 1 } });

    expect(handled).toEqual([{ n: 0 }, { n: 1 }]);
    const refusals = await eventually(() => {
      const byId = new Map(
        replies.messages.map((message) => [
          message.headers['kafka_correlationId'],
          JSON.parse(message.value?.toString('utf8') ?? 'null') as unknown,
        ]),
      );
      for (const id of ['c-text', 'c-huge', 'c-deep', 'c-binary'])
        expect(byId.get(id)).toBeDefined();
      return byId;
    });
    for (const id of ['c-text', 'c-huge', 'c-deep', 'c-binary'])
      expect(refusals.get(id)).toEqual({
        error_code: 'VALIDATION_FAILED',
        message: expect.any(String),
      });
    expect(refusals.get('c-huge')).toMatchObject({ message: expect.stringContaining('65536') });
    expect(refusals.get('c-deep')).toMatchObject({ message: expect.stringContaining('32') });
    // Nothing answered a record with bad headers, on any topic.
    for (const id of ['c-bad-topic', 'c-forged', 'c-other', 'c-none', 'c-nan', 'c-neg']) {
      expect(refusals.has(id)).toBe(false);
    }
    for (const id of ['c-float', 'c-far', 'c-twice']) expect(refusals.has(id)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(facts.messages).toHaveLength(0);
    expect(unhandledRejections).toEqual([]);

    const skipped = warnings.filter((line) => line.includes('skipped'));
    expect(skipped).toHaveLength(bad.length);
    expect(skipped.join('\n')).toContain(`kafka_replyTopic must be ${replyTopic}`);
    expect(skipped.join('\n')).toContain('kafka_correlationId');
    expect(skipped.join('\n')).toContain('kafka_replyPartition');
  });

  it('skips a command written more than an hour ago, as a partition read from its beginning holds (ADR 0151)', async () => {
    const before = handled.length;
    await producer.send({
      topic: commandTopic,
      acks: -1,
      messages: [
        {
          key: 'k',
          value: JSON.stringify({ n: 'stale' }),
          headers: validHeaders('c-stale'),
          timestamp: String(Date.now() - 61 * 60 * 1000),
        },
      ],
    });
    // One partition: this command is handled after the stale one.
    expect(await commands.send('test.echo', { n: 2 })).toEqual({ echoed: { n: 2 } });
    expect(handled.slice(before)).toEqual([{ n: 2 }]);
    expect(replies.messages.map((message) => message.headers['kafka_correlationId'])).not.toContain(
      'c-stale',
    );
    expect(warnings.filter((line) => line.includes('written 36')).length).toBe(1);
  });
});
