import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { createServiceApp } from '@tally/platform';
import { CommandClient, KafkaTestClient, isolate } from '@tally/testing';
import { connectCommandServer, ensureTopics } from '../src';

@Controller()
class EchoController {
  @MessagePattern('test.join-echo')
  echo(@Payload() payload: unknown) {
    return { echoed: payload };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

/**
 * A service's command server as it runs on two instances: one group, the command topic's
 * partitions shared. A second instance joining moves partitions between them, and no command
 * sent meanwhile may go unanswered: admin answers 504 for it, and says it may still be applied
 * when it never will be. A partition no command has reached yet has no committed offset: its
 * new owner starts where the partition ends when it first fetches, after the join.
 */
describe('commands sent while a second instance of the service joins', () => {
  const isolation = isolate();
  const commandTopic = `test.join-echo.${isolation.suffix}`;
  const kafka = new Kafka({
    clientId: 'command-join-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const apps: INestApplication[] = [];
  let commands: CommandClient;

  const startInstance = async (): Promise<INestApplication> => {
    const app = await createServiceApp(EchoModule, ['error']);
    await app.init();
    connectCommandServer(
      app,
      {
        brokers: isolation.kafkaBrokers,
        clientId: 'command-join-test',
        topicSuffix: isolation.suffix,
        partitions: 6,
        sessionTimeoutMs: 10_000,
      },
      'command-join-test',
    );
    await app.startAllMicroservices();
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    await ensureTopics(kafka, [commandTopic, `${commandTopic}.reply`], 6);
    await client.connect();
    await startInstance();
    commands = await new CommandClient(isolation.kafkaBrokers, isolation.suffix, [
      'test.join-echo',
    ]).connect();
  });

  afterAll(async () => {
    await commands?.close();
    for (const app of apps) await app.close();
    await client.close();
    await client.deleteTopics(isolation.suffix);
  });

  it('answers every command sent right after a second instance joined, before it fetched', async () => {
    // The first instance answers (its consumer is assigned every partition).
    expect(await commands.send('test.join-echo', { n: -1 })).toEqual({ echoed: { n: -1 } });
    await startInstance();
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        commands.send('test.join-echo', { n }, 15_000).then(
          (reply) => JSON.stringify(reply),
          (error: Error) => `${n}: ${error.message}`,
        ),
      ),
    );
    expect(answers.filter((answer) => !answer.startsWith('{'))).toEqual([]);
  });

  it('answers every command sent before, during and after the join', async () => {
    const sent: Array<Promise<string>> = [];
    const send = (n: number) =>
      sent.push(
        commands.send('test.join-echo', { n }, 15_000).then(
          (reply) => JSON.stringify(reply),
          (error: Error) => `${n}: ${error.message}`,
        ),
      );
    let n = 1;
    const joining = startInstance();
    while (n <= 400) {
      send(n);
      n += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await joining;
    const answers = await Promise.all(sent);
    expect(answers.filter((answer) => !answer.startsWith('{'))).toEqual([]);
    expect(answers).toHaveLength(400);
  });

  it('answers two clients of one reply group (two admins) each its own, while the second joins', async () => {
    const groupId = `test-join-admins-${isolation.suffix}`;
    const clients: CommandClient[] = [];
    const connect = async () => {
      const joined = await new CommandClient(
        isolation.kafkaBrokers,
        isolation.suffix,
        ['test.join-echo'],
        {
          groupId,
        },
      ).connect();
      clients.push(joined);
      return joined;
    };
    /** '' when the asker got its own reply, else what it got. */
    const ask = (asker: CommandClient, tag: string) =>
      asker.send('test.join-echo', { tag }, 15_000).then(
        (reply) =>
          JSON.stringify(reply) === JSON.stringify({ echoed: { tag } })
            ? ''
            : `${tag}: ${JSON.stringify(reply)}`,
        (error: Error) => `${tag}: ${error.message}`,
      );
    try {
      const first = await connect();
      const sent: Array<Promise<string>> = [];
      const joining = connect();
      for (let n = 0; n < 100; n += 1) {
        sent.push(ask(first, `first-${n}`));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const second = await joining;
      for (let n = 0; n < 24; n += 1) {
        sent.push(ask(first, `first-after-${n}`), ask(second, `second-${n}`));
      }
      const answers = await Promise.all(sent);
      expect(answers).toHaveLength(148);
      expect(answers.filter((answer) => answer !== '')).toEqual([]);
    } finally {
      for (const joined of clients) await joined.close();
    }
  });
});
