import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import {
  couponCode,
  couponTerms,
  monthlyCapTerms,
  planName,
  planTerms,
  plainText,
} from '@tally/budget-domain';
import { answerCommand } from '@tally/messaging';
import { CouponsService } from '../coupons/coupons.service';
import { PlansService } from '../plans/plans.service';

const accountId = plainText(256);
const setPlan = z.object({ name: planName, ...planTerms.shape }).strict();
const getPlan = z.object({ name: planName });
const assignPlan = z.object({ account_id: accountId, plan: planName });
const setMonthlyCap = z.object({ account_id: accountId, ...monthlyCapTerms.shape });
const accountOnly = z.object({ account_id: accountId });
const redeemCoupon = z.object({ account_id: accountId, code: couponCode });

/**
 * Plans, monthly caps and coupons over Kafka request-reply (DESIGN 4, Plans; admin's
 * `/v1/plans`, `/v1/accounts/:id/plan`, `/v1/coupons` call them). A refusal replies
 * `{ error_code, message }`.
 */
@Controller()
export class PlanCommandsController {
  constructor(
    private readonly plans: PlansService,
    private readonly coupons: CouponsService,
  ) {}

  @MessagePattern('ledger.set-plan')
  setPlan(@Payload() payload: unknown) {
    return answerCommand(setPlan, payload, (request) => this.plans.setPlan(request));
  }

  @MessagePattern('ledger.list-plans')
  listPlans() {
    return answerCommand(z.unknown(), {}, () => this.plans.listPlans());
  }

  @MessagePattern('ledger.get-plan')
  getPlan(@Payload() payload: unknown) {
    return answerCommand(getPlan, payload, (request) => this.plans.getPlan(request.name));
  }

  @MessagePattern('ledger.assign-plan')
  assignPlan(@Payload() payload: unknown) {
    return answerCommand(assignPlan, payload, (request) =>
      this.plans.assignPlan(request.account_id, request.plan),
    );
  }

  @MessagePattern('ledger.set-monthly-cap')
  setMonthlyCap(@Payload() payload: unknown) {
    return answerCommand(setMonthlyCap, payload, (request) =>
      this.plans.setMonthlyCap(request.account_id, request.monthly_cap),
    );
  }

  @MessagePattern('ledger.get-monthly-cap')
  getMonthlyCap(@Payload() payload: unknown) {
    return answerCommand(accountOnly, payload, (request) =>
      this.plans.monthlyCap(request.account_id),
    );
  }

  @MessagePattern('ledger.remove-monthly-cap')
  removeMonthlyCap(@Payload() payload: unknown) {
    return answerCommand(accountOnly, payload, (request) =>
      this.plans.removeMonthlyCap(request.account_id),
    );
  }

  @MessagePattern('ledger.create-coupon')
  createCoupon(@Payload() payload: unknown) {
    return answerCommand(couponTerms, payload, (request) => this.coupons.create(request));
  }

  @MessagePattern('ledger.redeem-coupon')
  redeemCoupon(@Payload() payload: unknown) {
    return answerCommand(redeemCoupon, payload, (request) =>
      this.coupons.redeem(request.account_id, request.code),
    );
  }
}
