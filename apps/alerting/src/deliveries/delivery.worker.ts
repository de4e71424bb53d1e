import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { nextRetryDelayMs, parseAlertFired, storableText } from '@tally/budget-domain';
import type { AlertFired } from '@tally/budget-domain';
import { counter, histogram } from '@tally/platform';
import { DataSource } from 'typeorm';
import type { ChannelType } from '../channels/channels.store';
import { parseWebhookUrl, redactUrl, urlPolicy } from '../channels/webhook-url';
import type { AlertingConfig } from '../config/alerting.config';
import { ALERTING_CONFIG } from '../config/alerting.tokens';
import { AttemptFailed } from './attempt';
import type { AttemptDeadline } from './attempt';
import { DeliveriesStore } from './deliveries.store';
import type { AttemptOutcome, ClaimedDelivery, LeasedAttempt } from './deliveries.store';
import { EmailSender } from './email.sender';
import { postBody } from './http-post';
import { slackMessage } from './slack-message';
import { signatureHeader } from './webhook-signature';

const deliveries = counter(
  'tally_alerting_deliveries_total',
  'Delivery attempts by outcome: delivered, failed and to be retried, or dead (attempts used up)',
  ['channel_type', 'status'],
);
const attemptSeconds = histogram(
  'tally_alerting_delivery_attempt_seconds',
  'Time one delivery attempt took, answer or failure',
  ['channel_type'],
  [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
);

/**
 * How much longer a lease lasts than its attempts may (ADR 0090): time to record the outcome,
 * and room for a paused process, before another instance may take the delivery over.
 */
const LEASE_MARGIN_MS = 10_000;

/** Recorded as a failed attempt's error when its lease ran out before its outcome was. */
const LEASE_RAN_OUT = 'no outcome recorded before the lease ran out';
const EXPIRED_LEASES_PER_ROUND = 100;

/**
 * Sends due deliveries (ADR 0033). Each instance claims them from the deliveries table —
 * at most one in flight per channel anywhere, `concurrency` per instance — sends each before a
 * deadline inside its lease (ADR 0090), and records the outcome: delivered, retrying
 * (exponential backoff with jitter) or dead (and dead-lettered). A slow or dead endpoint holds
 * only its own channel.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: DeliveriesStore,
    private readonly email: EmailSender,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Looks for due deliveries now (an alert was just committed, or an attempt ended). */
  nudge(): void {
    if (!this.polling) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    let claimedAll = false;
    try {
      await this.failExpiredLeases();
      const free = this.config.delivery.concurrency - this.inFlight.size;
      if (free > 0) {
        const { timeoutMs } = this.config.delivery;
        // Counted from before the claim: its attempts end at least the margin before their lease.
        const deadline = { signal: AbortSignal.timeout(timeoutMs), ms: timeoutMs };
        const claimed = await this.store.claim(
          this.dataSource.manager,
          free,
          randomUUID(),
          timeoutMs + LEASE_MARGIN_MS,
          this.config.delivery.accountConcurrency,
        );
        for (const delivery of claimed) this.track(this.attempt(delivery, deadline));
        claimedAll = claimed.length === free;
      }
    } catch (error) {
      this.logger.error(`claiming deliveries failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
      this.schedule(claimedAll ? 0 : this.config.delivery.pollMs);
    }
  }

  private track(attempt: Promise<void>): void {
    this.inFlight.add(attempt);
    void attempt.finally(() => {
      this.inFlight.delete(attempt);
      this.nudge();
    });
  }

  private async attempt(delivery: ClaimedDelivery, deadline: AttemptDeadline): Promise<void> {
    const channelType: ChannelType | 'deleted' = delivery.channel?.type ?? 'deleted';
    const stopTimer = attemptSeconds.startTimer({ channel_type: channelType });
    let outcome: AttemptOutcome;
    try {
      await this.send(delivery, deadline);
      outcome = { status: 'delivered' };
    } catch (error) {
      // A receiver's answer is quoted in the error, and PostgreSQL refuses a NUL in text: an
      // attempt that could not be recorded would be made again at every lease's end.
      const reason = storableText(
        error instanceof AttemptFailed ? error.message : `internal error: ${String(error)}`,
      );
      outcome = this.failed(delivery.attempts, reason, delivery.channel !== undefined);
    }
    stopTimer();
    try {
      const recorded = await this.dataSource.transaction((manager) =>
        this.store.finish(manager, delivery, outcome),
      );
      if (!recorded) {
        this.logger.warn(
          `delivery ${delivery.deliveryId} of ${delivery.accountId}: attempt ${delivery.attempts} ` +
            `(${outcome.status}) not recorded, its lease had ended (ran out, or the channel was deleted)`,
        );
        return;
      }
      this.reportOutcome(delivery, channelType, outcome);
    } catch (error) {
      // The lease runs out, and the attempt is recorded as failed then (ADR 0091).
      this.logger.error(
        `recording delivery ${delivery.deliveryId} failed: ${(error as Error).message}`,
      );
    }
  }

  /**
   * An attempt whose lease ran out unrecorded failed: its instance stopped, or could not record
   * the outcome. It is recorded so, and counts like any failure (ADR 0091).
   */
  private async failExpiredLeases(): Promise<void> {
    const expired = await this.store.expiredLeases(
      this.dataSource.manager,
      EXPIRED_LEASES_PER_ROUND,
    );
    for (const lease of expired) {
      const outcome = this.failed(lease.attempts, LEASE_RAN_OUT, true);
      // Under the lease's token, so of two instances recording one lease only one does.
      const recorded = await this.dataSource.transaction((manager) =>
        this.store.finish(manager, lease, outcome),
      );
      if (recorded) this.reportOutcome(lease, lease.channelType, outcome);
    }
  }

  /** A failed attempt's outcome: retried after the schedule's wait, or dead after the last. */
  private failed(attemptsMade: number, reason: string, retryable: boolean): AttemptOutcome {
    const retryInMs = retryable ? nextRetryDelayMs(attemptsMade, this.config.delivery.retry) : null;
    return retryInMs === null
      ? { status: 'dead', error: reason }
      : { status: 'retrying', error: reason, retryInMs };
  }

  /** Counts a recorded outcome, and logs a failure. */
  private reportOutcome(
    delivery: LeasedAttempt,
    channelType: ChannelType | 'deleted',
    outcome: AttemptOutcome,
  ): void {
    deliveries.inc({ channel_type: channelType, status: outcome.status });
    if (outcome.status !== 'delivered') {
      this.logger.warn(
        `delivery ${delivery.deliveryId} of ${delivery.accountId} to channel ${delivery.channelId} ` +
          `attempt ${delivery.attempts} failed (${outcome.error}); ${outcome.status}`,
      );
    }
  }

  private async send(delivery: ClaimedDelivery, deadline: AttemptDeadline): Promise<void> {
    const { channel } = delivery;
    if (!channel) throw new AttemptFailed('the channel was deleted');
    const parsed = parseAlertFired(delivery.body);
    if (!parsed.ok) throw new AttemptFailed(`stored alert unreadable: ${parsed.error}`);
    const alert: AlertFired = parsed.value;
    switch (channel.type) {
      case 'email':
        return this.email.send(channel.target, alert.message, delivery.deliveryId, deadline);
      case 'webhook':
        return this.post(channel.target, delivery.body, delivery.deliveryId, deadline, {
          ...(channel.signingSecret
            ? {
                'tally-signature': signatureHeader(
                  channel.signingSecret,
                  delivery.body,
                  new Date(),
                ),
              }
            : {}),
        });
      case 'slack':
        return this.post(
          channel.target,
          JSON.stringify(slackMessage(alert)),
          delivery.deliveryId,
          deadline,
          {},
        );
    }
  }

  private async post(
    target: string,
    body: string,
    deliveryId: string,
    deadline: AttemptDeadline,
    headers: Record<string, string>,
  ): Promise<void> {
    const url = parseWebhookUrl(target);
    const status = await postBody(
      url,
      body,
      {
        'content-type': 'application/json',
        'user-agent': 'Tally-Alerting/1',
        'tally-delivery-id': deliveryId,
        ...headers,
      },
      { deadline, policy: urlPolicy(this.config.delivery.blockPrivateUrls) },
    );
    if (status < 200 || status > 299) {
      throw new AttemptFailed(`${redactUrl(url)} answered HTTP ${status}`);
    }
  }
}
