import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { AlertingConfig } from '../config/alerting.config';
import { ALERTING_CONFIG } from '../config/alerting.tokens';
import { AttemptFailed } from './http-post';

/** Email over SMTP (ALERTING_SMTP_URL): the alert's message as subject and body (DESIGN 5). */
@Injectable()
export class EmailSender implements OnModuleDestroy {
  private transport: Transporter | undefined;

  constructor(@Inject(ALERTING_CONFIG) private readonly config: AlertingConfig) {}

  async send(to: string, message: string, deliveryId: string): Promise<void> {
    const { smtpUrl, from } = this.config.email;
    if (!smtpUrl) throw new AttemptFailed('ALERTING_SMTP_URL is not set');
    this.transport ??= createTransport({
      url: smtpUrl,
      connectionTimeout: this.config.delivery.timeoutMs,
      greetingTimeout: this.config.delivery.timeoutMs,
      socketTimeout: this.config.delivery.timeoutMs,
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
      });
    } catch (error) {
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
