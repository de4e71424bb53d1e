import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { Commands } from '../commands/commands.service';
import type { CouponView, CreateCouponRequest, RedeemCouponRequest } from './dtos/coupon.dto';

/** Coupons live in the ledger: admin passes the commands on and answers their replies. */
@Injectable()
export class CouponsService {
  constructor(
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
  ) {}

  /** The same request again answers the coupon made the first time (`created` false). */
  async create(request: CreateCouponRequest): Promise<{ created: boolean; coupon: CouponView }> {
    const { created, ...coupon } = await this.commands.send<CouponView & { created: boolean }>(
      'ledger.create-coupon',
      request,
    );
    return { created, coupon };
  }

  async redeem(accountId: string, request: RedeemCouponRequest): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('ledger.redeem-coupon', { ...request, account_id: accountId });
  }
}
