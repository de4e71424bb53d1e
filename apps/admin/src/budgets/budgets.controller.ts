import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../access/principal';
import { Answers, BodyOf, QueryOf, ValidBody, ValidQuery } from '../http/zod-schema';
import { BudgetsService } from './budgets.service';
import {
  budgetSchema,
  budgetStatusQuery,
  budgetStatusSchema,
  setBudgetSchema,
} from './dtos/budget.dto';
import type { BudgetStatusQuery, SetBudgetRequest } from './dtos/budget.dto';

@ApiTags('budgets')
@ApiBearerAuth()
@Controller('v1/accounts/:id')
export class BudgetsController {
  constructor(private readonly budgets: BudgetsService) {}

  @Put('budget')
  @AdminOnly()
  @ApiOperation({ summary: "Set the account's budget (admin)" })
  @BodyOf(setBudgetSchema)
  @Answers(200, budgetSchema)
  setAccountBudget(
    @Param('id') accountId: string,
    @ValidBody(setBudgetSchema) body: SetBudgetRequest,
  ) {
    return this.budgets.setAccountBudget(accountId, body);
  }

  @Put('api-keys/:key_id/budget')
  @ApiOperation({ summary: "Set the budget of one of the account's API keys" })
  @BodyOf(setBudgetSchema)
  @Answers(200, budgetSchema)
  setKeyBudget(
    @Param('id') accountId: string,
    @Param('key_id') apiKeyId: string,
    @ValidBody(setBudgetSchema) body: SetBudgetRequest,
  ) {
    return this.budgets.setKeyBudget(accountId, apiKeyId, body);
  }

  @Get('budget-status')
  @ApiOperation({
    summary: 'Budget status: used, remaining, percent, alert level, strategy, projection',
  })
  @QueryOf(budgetStatusQuery)
  @Answers(200, budgetStatusSchema)
  status(@Param('id') accountId: string, @ValidQuery(budgetStatusQuery) query: BudgetStatusQuery) {
    return this.budgets.status(accountId, query.api_key_id);
  }
}
