import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { AlertingConfig } from '../config/alerting.config';
import { ALERTING_CONFIG } from '../config/alerting.tokens';
import { AttemptFailed } from './attempt';
import type { AttemptDeadline } from './attempt';

/** Email over SMTP (ALERTING_SMTP_URL): the alert's message as subject and body (DESIGN 5). */
@Injectable()
export class EmailSender implements OnModuleDestroy {
  private transport: Transporter | undefined;

  constructor(@Inject(ALERTING_CONFIG) private readonly config: AlertingConfig) {}

  /**
   * Sends one mail before `deadline`, which bounds the whole session: nodemailer's own
   * timeouts bound one step each, and a relay trickling its answers never trips them.
   */
  async send(
    to: string,
    message: string,
    deliveryId: string,
    deadline: AttemptDeadline,
  ): Promise<void> {
    const { smtpUrl, from } = this.config.email;
    if (!smtpUrl) throw new AttemptFailed('ALERTING_SMTP_URL is not set');
    this.transport ??= createTransport({
      url: smtpUrl,
      // An aborted session drops its socket at once: ending it politely would still flush what
      // was written, perhaps the message's final dot, after the deadline.
      socketCloseTimeout: 0,
    });
    try {
      await this.transport.sendMail({
        from,
        to,
        subject: message,
        text: message,
        // The same on every retry, so a mail system or reader can drop a repeat.
        messageId: `<${deliveryId}@tally.alerts>`,
        headers: { 'Tally-Delivery-Id': deliveryId },
        signal: deadline.signal,
      });
    } catch (error) {
      if (deadline.signal.aborted) {
        throw new AttemptFailed(`SMTP: no answer within ${deadline.ms} ms`);
      }
      const code =
        (error as { code?: string; responseCode?: number }).responseCode ??
        (error as { code?: string }).code;
      throw new AttemptFailed(`SMTP ${code ?? 'error'}: ${(error as Error).message.slice(0, 200)}`);
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
