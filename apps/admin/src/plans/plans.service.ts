import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { Commands } from '../commands/commands.service';
import type { Page } from '../http/pagination';
import type {
  AssignPlanRequest,
  PlanAssignment,
  PlanView,
  SetMonthlyCapRequest,
  SetPlanRequest,
} from './dtos/plan.dto';

/** Plans live in the ledger: admin passes the commands on and answers their replies. */
@Injectable()
export class PlansService {
  constructor(
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
  ) {}

  setPlan(name: string, request: SetPlanRequest): Promise<PlanView> {
    return this.commands.send('ledger.set-plan', { ...request, name });
  }

  /** The ledger answers every plan at once: one page, as every other list without paging. */
  async list(): Promise<Page<PlanView>> {
    const reply = await this.commands.send<{ items: PlanView[] }>('ledger.list-plans', {});
    return { items: reply.items, next_cursor: null };
  }

  get(name: string): Promise<PlanView> {
    return this.commands.send('ledger.get-plan', { name });
  }

  async assign(accountId: string, request: AssignPlanRequest): Promise<PlanAssignment> {
    await this.accounts.require(accountId);
    const assignment = await this.commands.send<PlanAssignment>('ledger.assign-plan', {
      ...request,
      account_id: accountId,
    });
    await this.accounts.planAssigned(accountId, assignment.plan.name);
    return assignment;
  }

  async monthlyCap(accountId: string): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('ledger.get-monthly-cap', { account_id: accountId });
  }

  async setMonthlyCap(accountId: string, request: SetMonthlyCapRequest): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('ledger.set-monthly-cap', { ...request, account_id: accountId });
  }

  async removeMonthlyCap(accountId: string): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('ledger.remove-monthly-cap', { account_id: accountId });
  }
}
