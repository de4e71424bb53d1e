import { Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Answers, BodyOf, QueryOf, ValidBody, ValidQuery } from '../http/zod-schema';
import {
  autoTopUpAnswerSchema,
  autoTopUpSchema,
  checkoutAnswerSchema,
  checkoutSchema,
  historyPageSchema,
  historyQuery,
  paymentPageSchema,
  paymentsQuery,
  setupAnswerSchema,
  setupSchema,
} from './dtos/topup.dto';
import type {
  AutoTopUpRequest,
  CheckoutRequest,
  HistoryQuery,
  PaymentsQuery,
  SetupRequest,
} from './dtos/topup.dto';
import { TopUpsService } from './topups.service';

@ApiTags('topups')
@ApiBearerAuth()
@Controller('v1/accounts/:id')
export class TopUpsController {
  constructor(private readonly topUps: TopUpsService) {}

  @Post('topups/checkout')
  @HttpCode(201)
  @ApiOperation({ summary: 'A Stripe Checkout session to buy credit' })
  @BodyOf(checkoutSchema)
  @Answers(201, checkoutAnswerSchema)
  checkout(@Param('id') accountId: string, @ValidBody(checkoutSchema) body: CheckoutRequest) {
    return this.topUps.checkout(accountId, body);
  }

  @Post('topups/setup')
  @HttpCode(201)
  @ApiOperation({ summary: 'A Stripe setup session that saves a payment method for auto top-up' })
  @BodyOf(setupSchema)
  @Answers(201, setupAnswerSchema)
  setup(@Param('id') accountId: string, @ValidBody(setupSchema) body: SetupRequest) {
    return this.topUps.setup(accountId, body);
  }

  @Get('topups')
  @ApiOperation({ summary: 'Top-up history (Stripe references masked)' })
  @QueryOf(historyQuery)
  @Answers(200, historyPageSchema)
  history(@Param('id') accountId: string, @ValidQuery(historyQuery) query: HistoryQuery) {
    return this.topUps.history(accountId, query);
  }

  @Get('auto-topup')
  @ApiOperation({ summary: 'Auto top-up settings and state' })
  @Answers(200, autoTopUpAnswerSchema)
  autoTopUp(@Param('id') accountId: string) {
    return this.topUps.autoTopUp(accountId);
  }

  @Put('auto-topup')
  @ApiOperation({ summary: 'Change auto top-up settings' })
  @BodyOf(autoTopUpSchema)
  @Answers(200, autoTopUpAnswerSchema)
  updateAutoTopUp(
    @Param('id') accountId: string,
    @ValidBody(autoTopUpSchema) body: AutoTopUpRequest,
  ) {
    return this.topUps.updateAutoTopUp(accountId, body);
  }

  @Get('payments')
  @ApiOperation({
    summary: 'Payments as announced on payments.events, newest first (references masked)',
  })
  @QueryOf(paymentsQuery)
  @Answers(200, paymentPageSchema)
  payments(@Param('id') accountId: string, @ValidQuery(paymentsQuery) query: PaymentsQuery) {
    return this.topUps.payments(accountId, query);
  }
}
