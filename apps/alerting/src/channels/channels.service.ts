import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ALERT_KINDS,
  InvalidThresholdError,
  parseCustomThreshold,
  presentCustomThreshold,
} from '@tally/budget-domain';
import type { CustomThreshold } from '@tally/budget-domain';
import { DataSource } from 'typeorm';
import type { AlertingConfig } from '../config/alerting.config';
import { ALERTING_CONFIG } from '../config/alerting.tokens';
import { ChannelsException, ChannelsExceptionCode } from './channels.exception';
import { ChannelsStore } from './channels.store';
import type { StoredChannel } from './channels.store';
import type { ChannelReply, SetChannelRequest } from './dtos/channel.dto';
import { isEmailAddress } from '../config/email-address';
import { assertReceiverUrl, parseWebhookUrl, presentUrl, urlPolicy } from './webhook-url';

/** More channels than this on one account is a loop in someone's script, not a need. */
const MAX_CHANNELS_PER_ACCOUNT = 20;

/** An account's delivery channels (DESIGN 2: alerting.set-channel, list-channels, delete-channel). */
@Injectable()
export class ChannelsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ChannelsStore,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
  ) {}

  /**
   * Creates a channel, or replaces the one named by `channel_id`. A webhook without a
   * `signing_secret` keeps the one it has, or gets a generated one, which this reply shows
   * once; it is never shown again.
   */
  async setChannel(
    request: SetChannelRequest,
  ): Promise<ChannelReply & { signing_secret?: string }> {
    const target = await this.targetOf(request);
    const customThresholds = this.thresholdsOf(request.custom_thresholds ?? []);
    if (request.signing_secret !== undefined && request.type !== 'webhook') {
      throw new ChannelsException(
        ChannelsExceptionCode.VALIDATION_FAILED,
        'signing_secret applies to webhook channels only',
      );
    }
    const scope = { accountId: request.account_id };
    return this.dataSource.transaction(async (manager) => {
      // Commands carry no key and run concurrently: two could both count 19 and make 21.
      await this.store.lockAccount(manager, scope);
      const channelId = request.channel_id ?? `ch_${randomUUID()}`;
      const existing = request.channel_id
        ? await this.store.lock(manager, scope, request.channel_id)
        : undefined;
      if (!existing && (await this.store.count(manager, scope)) >= MAX_CHANNELS_PER_ACCOUNT) {
        throw new ChannelsException(
          ChannelsExceptionCode.TOO_MANY_CHANNELS,
          `an account has at most ${MAX_CHANNELS_PER_ACCOUNT} channels`,
        );
      }
      // The URL as list-channels shows it, sent back unchanged, keeps the URL it masks (ADR 0192).
      const keptTarget =
        existing && existing.type !== 'email' && request.url === presentUrl(existing.target)
          ? existing.target
          : target;
      let generatedSecret: string | undefined;
      let signingSecret: string | null = null;
      if (request.type === 'webhook') {
        signingSecret = request.signing_secret ?? existing?.signingSecret ?? null;
        if (signingSecret === null) {
          generatedSecret = `whsec_${randomBytes(32).toString('base64url')}`;
          signingSecret = generatedSecret;
        }
      }
      const channel: StoredChannel = {
        accountId: request.account_id,
        channelId,
        type: request.type,
        target: keptTarget,
        signingSecret,
        kinds: request.kinds ? [...new Set(request.kinds)] : null,
        customThresholds,
      };
      await this.store.save(manager, channel);
      return {
        ...presentChannel(channel),
        ...(generatedSecret ? { signing_secret: generatedSecret } : {}),
      };
    });
  }

  async listChannels(accountId: string): Promise<{ items: ChannelReply[] }> {
    const channels = await this.store.list(this.dataSource.manager, { accountId });
    return { items: channels.map(presentChannel) };
  }

  async deleteChannel(accountId: string, channelId: string): Promise<{ deleted: true }> {
    const deleted = await this.store.delete(this.dataSource.manager, { accountId }, channelId);
    if (!deleted) {
      throw new ChannelsException(
        ChannelsExceptionCode.CHANNEL_NOT_FOUND,
        `account ${accountId} has no channel ${channelId}`,
      );
    }
    return { deleted: true };
  }

  private async targetOf(request: SetChannelRequest): Promise<string> {
    if (request.type === 'email') {
      if (request.url !== undefined || request.email === undefined) {
        throw new ChannelsException(
          ChannelsExceptionCode.VALIDATION_FAILED,
          'an email channel takes email, not url',
        );
      }
      if (!isEmailAddress(request.email)) {
        throw new ChannelsException(
          ChannelsExceptionCode.INVALID_EMAIL,
          'email must be one address such as ops@example.com',
        );
      }
      if (!this.config.email.smtpUrl) {
        throw new ChannelsException(
          ChannelsExceptionCode.EMAIL_NOT_CONFIGURED,
          'email channels need ALERTING_SMTP_URL, which this installation does not set',
        );
      }
      return request.email;
    }
    if (request.email !== undefined || request.url === undefined) {
      throw new ChannelsException(
        ChannelsExceptionCode.VALIDATION_FAILED,
        `a ${request.type} channel takes url, not email`,
      );
    }
    const url = parseWebhookUrl(request.url);
    await assertReceiverUrl(url, urlPolicy(this.config.delivery.blockPrivateUrls));
    return url.toString();
  }

  private thresholdsOf(raw: readonly unknown[]): CustomThreshold[] {
    try {
      return raw.map(parseCustomThreshold);
    } catch (error) {
      if (error instanceof InvalidThresholdError) {
        throw new ChannelsException(
          ChannelsExceptionCode.VALIDATION_FAILED,
          `custom_thresholds: ${error.message}`,
        );
      }
      throw error;
    }
  }
}

export function presentChannel(channel: StoredChannel): ChannelReply {
  return {
    channel_id: channel.channelId,
    type: channel.type,
    ...(channel.type === 'email' ? { email: channel.target } : { url: presentUrl(channel.target) }),
    kinds: channel.kinds ?? [...ALERT_KINDS],
    custom_thresholds: channel.customThresholds.map(presentCustomThreshold),
  };
}
