import { randomUUID } from 'node:crypto';
import { CommandClient as MessagingCommandClient } from '@tally/messaging';

/**
 * Sends commands to a service over Kafka request-reply, as admin does: the messaging library's
 * client, in a reply group of its own and with a patient default timeout for slow test machines.
 */
export class CommandClient extends MessagingCommandClient {
  constructor(brokers: string[], topicSuffix: string, patterns: readonly string[]) {
    super({
      kafka: { brokers, clientId: 'tally-test-commands', topicSuffix },
      group: `test-commands-${randomUUID()}`,
      patterns,
      timeoutMs: 20_000,
    });
  }
}
