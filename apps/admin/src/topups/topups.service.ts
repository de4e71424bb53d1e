import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { AccountsService } from '../accounts/accounts.service';
import { Commands } from '../commands/commands.service';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentAmount, presentInstant } from '../http/present';
import type {
  AutoTopUpRequest,
  CheckoutRequest,
  HistoryQuery,
  PaymentView,
  PaymentsQuery,
  SetupRequest,
} from './dtos/topup.dto';
import { TopUpsStore } from './topups.store';
import type { PaymentRow } from './topups.store';

const position = z.object({ at: z.iso.datetime(), payment_id: z.string().min(1) });

/** Top-ups live in topup (Stripe): admin passes its commands on; payments it also projects. */
@Injectable()
export class TopUpsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
    private readonly store: TopUpsStore,
  ) {}

  async checkout(accountId: string, request: CheckoutRequest): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('topup.create-checkout', { ...request, account_id: accountId });
  }

  async setup(accountId: string, request: SetupRequest): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('topup.create-setup', { ...request, account_id: accountId });
  }

  async autoTopUp(accountId: string): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('topup.get-auto-topup', { account_id: accountId });
  }

  async updateAutoTopUp(accountId: string, request: AutoTopUpRequest): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('topup.update-auto-topup', { ...request, account_id: accountId });
  }

  /** The account's top-up history as topup keeps it (Stripe references masked there). */
  async history(accountId: string, query: HistoryQuery): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('topup.history', {
      account_id: accountId,
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
  }

  /** Payments as payments.events announced them, from admin's projection. */
  async payments(accountId: string, query: PaymentsQuery): Promise<Page<PaymentView>> {
    await this.accounts.require(accountId);
    const after = positionAfter(query.cursor, position);
    const rows = await this.store.listPayments(this.dataSource.manager, accountId, {
      after,
      limit: query.limit,
    });
    return pageOf(rows, query.limit, presentPayment, (row) => ({
      at: presentInstant(row.at),
      payment_id: row.payment_id,
    }));
  }
}

function presentPayment(row: PaymentRow): PaymentView {
  return {
    payment_id: row.payment_id,
    kind: row.kind as PaymentView['kind'],
    trigger: row.trigger,
    credit_amount: presentAmount(row.credit_amount),
    paid_amount: presentAmount(row.paid_amount),
    paid_currency: row.paid_currency,
    stripe_ref: row.stripe_ref_masked,
    restores_refund: row.restores_refund_masked,
    at: presentInstant(row.at),
  };
}
