import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { EdgeRoute } from '@tally/platform';
import { WebhooksService } from './webhooks.service';

/** Stripe's deliveries (DESIGN 5): the raw body, verified against Stripe-Signature. */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  // Stripe's events are larger than the edge's default body limit.
  @Post('stripe')
  @EdgeRoute({ bodyLimitBytes: 1024 * 1024 })
  @HttpCode(200)
  receive(
    @Req() request: FastifyRequest & { rawBody?: Buffer },
    @Headers('stripe-signature') signature: string | undefined,
  ) {
    return this.webhooks.receive(request.rawBody, signature);
  }
}
