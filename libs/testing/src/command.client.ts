import { randomUUID } from 'node:crypto';
import { CommandClient as MessagingCommandClient } from '@tally/messaging';
import type { KafkaConfig } from '@tally/messaging';

/**
 * Sends commands to a service over Kafka request-reply, as admin does: the messaging library's
 * client, in a reply group of its own and with a patient default timeout for slow test machines.
 */
export class CommandClient extends MessagingCommandClient {
  constructor(
    brokers: string[],
    topicSuffix: string,
    patterns: readonly string[],
    /**
     * SASL/TLS settings for a broker in secure mode (plaintext without), and the reply
     * consumer's group (its ACLs may allow only some names).
     */
    options: Pick<KafkaConfig, 'sasl' | 'ssl'> & { groupId?: string } = {},
  ) {
    const { groupId, ...security } = options;
    super({
      kafka: { brokers, clientId: 'tally-test-commands', topicSuffix, ...security },
      group: groupId ?? `test-commands-${randomUUID()}`,
      patterns,
      timeoutMs: 20_000,
    });
  }
}
