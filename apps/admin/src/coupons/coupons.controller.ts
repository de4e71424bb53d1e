import { Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EdgeRoute } from '@tally/platform';
import { AdminOnly } from '../access/principal';
import { Answers, BodyOf, ValidBody } from '../http/zod-schema';
import { CouponsService } from './coupons.service';
import {
  couponSchema,
  createCouponSchema,
  redeemCouponSchema,
  redemptionSchema,
} from './dtos/coupon.dto';
import type { CouponView, CreateCouponRequest, RedeemCouponRequest } from './dtos/coupon.dto';

@ApiTags('coupons')
@ApiBearerAuth()
@EdgeRoute({ bearer: true })
@Controller('v1')
export class CouponsController {
  constructor(private readonly coupons: CouponsService) {}

  @Post('coupons')
  @AdminOnly()
  @ApiOperation({
    summary:
      'Create a coupon (admin): 201 with the coupon, 200 with the same one for a repeat of the request; other terms under its code are 409 COUPON_CONFLICT',
  })
  @BodyOf(createCouponSchema)
  @Answers(201, couponSchema, 'created')
  @Answers(200, couponSchema, 'created before with these terms')
  async create(
    @ValidBody(createCouponSchema) body: CreateCouponRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CouponView> {
    const { created, coupon } = await this.coupons.create(body);
    void reply.status(created ? 201 : 200);
    return coupon;
  }

  @Post('accounts/:id/coupons/redeem')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Redeem a coupon for the account, once per account: a credit coupon posts its credit, a percent coupon discounts usage for its days',
  })
  @BodyOf(redeemCouponSchema)
  @Answers(201, redemptionSchema)
  redeem(@Param('id') accountId: string, @ValidBody(redeemCouponSchema) body: RedeemCouponRequest) {
    return this.coupons.redeem(accountId, body);
  }
}
