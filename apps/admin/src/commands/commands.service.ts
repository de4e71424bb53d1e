import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CommandClient, CommandTimeoutError, MessagingService } from '@tally/messaging';
import type { AdminConfig } from '../config/admin.config';
import { ADMIN_CONFIG } from '../config/admin.tokens';
import type { AdminCommandPattern } from './command-patterns';
import { ADMIN_COMMAND_PATTERNS } from './command-patterns';
import { CommandRefusal, CommandsException, CommandsExceptionCode } from './commands.exception';

interface Refusal {
  readonly error_code: string;
  readonly message: string;
}

/**
 * Admin's writes: commands to the ledger, topup and alerting over Kafka request-reply. The
 * answer is the reply; a refusal throws CommandRefusal with the replied code, a fault or a
 * missing reply a CommandsException.
 */
@Injectable()
export class Commands implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(Commands.name);
  private readonly client: CommandClient;

  constructor(
    @Inject(ADMIN_CONFIG) config: AdminConfig,
    // Injected so that the command topics exist before the client subscribes to their replies.
    readonly messaging: MessagingService,
  ) {
    this.client = new CommandClient({
      kafka: config.kafka,
      group: 'admin-commands',
      patterns: ADMIN_COMMAND_PATTERNS,
      timeoutMs: config.commandTimeoutMs,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }

  async send<R>(pattern: AdminCommandPattern, payload: Record<string, unknown>): Promise<R> {
    let reply: unknown;
    try {
      reply = await this.client.send(pattern, payload);
    } catch (error) {
      if (error instanceof CommandTimeoutError) {
        throw new CommandsException(
          CommandsExceptionCode.UPSTREAM_TIMEOUT,
          `${serviceOf(pattern)} did not answer ${pattern} in time; it may still apply it`,
        );
      }
      throw error;
    }
    if (isRefusal(reply)) {
      if (reply.error_code === 'INTERNAL_ERROR') {
        this.logger.error(`${pattern} failed in ${serviceOf(pattern)}: ${reply.message}`);
        throw new CommandsException(
          CommandsExceptionCode.UPSTREAM_FAILED,
          `${serviceOf(pattern)} failed: ${reply.message}`,
        );
      }
      throw new CommandRefusal(reply.error_code, reply.message);
    }
    return reply as R;
  }
}

function isRefusal(reply: unknown): reply is Refusal {
  return (
    typeof reply === 'object' &&
    reply !== null &&
    typeof (reply as Partial<Refusal>).error_code === 'string' &&
    typeof (reply as Partial<Refusal>).message === 'string'
  );
}

function serviceOf(pattern: AdminCommandPattern): string {
  return pattern.split('.')[0] ?? pattern;
}
