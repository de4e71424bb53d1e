import type { INestApplication } from '@nestjs/common';
import { ServerKafka } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import type { KafkaOptions, MessageHandler } from '@nestjs/microservices';
import type { KafkaConfig } from './kafka.config';
import { topicName } from './kafka.config';

type ServerKafkaOptions = NonNullable<KafkaOptions['options']>;

/**
 * The request-reply side of a service (@nestjs/microservices over Kafka): `@MessagePattern`
 * handlers answer on `<pattern>.reply`. Patterns get the configured topic suffix, so tests
 * can run isolated instances; in production the patterns are the contract names.
 */
export class CommandServer extends ServerKafka {
  constructor(
    options: ServerKafkaOptions,
    private readonly topicSuffix: string,
  ) {
    super(options);
  }

  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler?: boolean,
    extras?: Record<string, unknown>,
  ): void {
    const name =
      typeof pattern === 'string' ? topicName({ topicSuffix: this.topicSuffix }, pattern) : pattern;
    super.addHandler(name, callback, isEventHandler, extras);
  }
}

/** Connects the command server of a service to its app; start it with `app.startAllMicroservices()`. */
export function connectCommandServer(
  app: INestApplication,
  kafka: KafkaConfig,
  group: string,
): void {
  app.connectMicroservice(
    {
      strategy: new CommandServer(
        {
          client: { clientId: `${kafka.clientId}-commands`, brokers: kafka.brokers },
          consumer: { groupId: topicName(kafka, group), sessionTimeout: kafka.sessionTimeoutMs },
          producer: { createPartitioner: Partitioners.DefaultPartitioner },
          subscribe: { fromBeginning: false },
          run: { partitionsConsumedConcurrently: 3 },
        },
        kafka.topicSuffix,
      ),
    },
    { inheritAppConfig: false },
  );
}
