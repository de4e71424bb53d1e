import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { CommandServer } from '@tally/messaging';
import type { Isolation } from '@tally/testing';

type Payload = Record<string, unknown>;

/**
 * Answers topup.* over the real broker as DESIGN 2 spells the replies, for as long as the topup
 * service is not on main: it checks admin's routes and authorization, not top-up behaviour
 * (topup's own tests and the end-to-end tests do).
 */
@Controller()
class StandInTopUp {
  @MessagePattern('topup.create-checkout')
  checkout(@Payload() request: Payload) {
    const paid = String(request['amount_paid'] ?? '30.00');
    return {
      checkout_url: 'https://checkout.stripe.test/c/pay/cs_test_standin',
      session_id: 'cs_test_standin',
      credit_amount: '10.000000000000',
      paid_amount: paid,
      paid_currency: 'CHF',
      dry_run: true,
    };
  }

  @MessagePattern('topup.create-setup')
  setup() {
    return {
      checkout_url: 'https://checkout.stripe.test/c/setup/cs_test_setup',
      session_id: 'cs_test_setup',
    };
  }

  @MessagePattern('topup.get-auto-topup')
  getAutoTopUp() {
    return autoTopUp(false);
  }

  @MessagePattern('topup.update-auto-topup')
  updateAutoTopUp(@Payload() request: Payload) {
    if (request['enabled'] === true) {
      return { error_code: 'AUTO_TOPUP_NO_PAYMENT_METHOD', message: 'no saved payment method' };
    }
    return autoTopUp(false);
  }

  @MessagePattern('topup.history')
  history() {
    return { items: [], next_cursor: null };
  }
}

/** alerting.* as DESIGN 2 spells the replies (the real service is used where it runs). */
@Controller()
class StandInAlerting {
  private readonly channels = new Map<string, Payload[]>();

  @MessagePattern('alerting.set-channel')
  setChannel(@Payload() request: Payload) {
    const accountId = String(request['account_id']);
    const channel = {
      channel_id:
        typeof request['channel_id'] === 'string' ? request['channel_id'] : `ch_${randomUUID()}`,
      type: request['type'],
      ...(request['url'] === undefined ? {} : { url: request['url'] }),
      ...(request['email'] === undefined ? {} : { email: request['email'] }),
      kinds: request['kinds'] ?? ['threshold'],
      custom_thresholds: request['custom_thresholds'] ?? [],
    };
    const others = (this.channels.get(accountId) ?? []).filter(
      (c) => c['channel_id'] !== channel.channel_id,
    );
    this.channels.set(accountId, [...others, channel]);
    return request['signing_secret'] === undefined
      ? { ...channel, signing_secret: 'whsec_standin_0123456789' }
      : channel;
  }

  @MessagePattern('alerting.list-channels')
  listChannels(@Payload() request: Payload) {
    return { items: this.channels.get(String(request['account_id'])) ?? [] };
  }

  @MessagePattern('alerting.delete-channel')
  deleteChannel(@Payload() request: Payload) {
    const accountId = String(request['account_id']);
    const channels = this.channels.get(accountId) ?? [];
    if (!channels.some((c) => c['channel_id'] === request['channel_id'])) {
      return {
        error_code: 'CHANNEL_NOT_FOUND',
        message: `no channel ${String(request['channel_id'])}`,
      };
    }
    this.channels.set(
      accountId,
      channels.filter((c) => c['channel_id'] !== request['channel_id']),
    );
    return { deleted: true };
  }

  @MessagePattern('alerting.history')
  alertHistory() {
    return { items: [], next_cursor: null };
  }
}

function autoTopUp(enabled: boolean) {
  return {
    enabled,
    amount_paid: '30.00',
    paid_currency: 'CHF',
    credit_amount: '10.000000000000',
    trigger_below_percent: 5,
    monthly_limit: '300.00',
    customer: null,
    payment_method: null,
    state: {
      enabled,
      state: 'no_payment_method',
      month_auto_paid: '0',
      monthly_limit: '300.00',
      paid_currency: 'CHF',
    },
  };
}

const STAND_INS = { topup: StandInTopUp, alerting: StandInAlerting };

/** Stand-ins of the named services; start them after admin, which creates the command topics. */
export async function startStandInServices(
  isolation: Isolation,
  services: ReadonlyArray<keyof typeof STAND_INS>,
): Promise<INestMicroservice> {
  @Module({ controllers: services.map((service) => STAND_INS[service]) })
  class StandInModule {}
  const app = await NestFactory.createMicroservice(StandInModule, {
    strategy: new CommandServer(
      {
        client: { clientId: 'stand-in-services', brokers: isolation.kafkaBrokers },
        consumer: {
          groupId: `stand-in-${services.join('-')}.${isolation.suffix}`,
          sessionTimeout: 10_000,
        },
        producer: { createPartitioner: Partitioners.DefaultPartitioner },
        subscribe: { fromBeginning: false },
      },
      isolation.suffix,
    ),
    logger: ['error'],
  });
  await app.listen();
  return app;
}
