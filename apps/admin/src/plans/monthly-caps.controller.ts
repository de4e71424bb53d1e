import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EdgeRoute } from '@tally/platform';
import { AdminOnly } from '../access/principal';
import { Answers, BodyOf, ValidBody } from '../http/zod-schema';
import { monthlyCapSchema, setMonthlyCapSchema } from './dtos/plan.dto';
import type { SetMonthlyCapRequest } from './dtos/plan.dto';
import { PlansService } from './plans.service';

/**
 * An account's own monthly spending cap (ADR 0044): in force instead of its plan's. Setting and
 * removing it are the admin's; a tenant may read its own.
 */
@ApiTags('plans')
@ApiBearerAuth()
@EdgeRoute({ bearer: true })
@Controller('v1/accounts/:id/monthly-cap')
export class MonthlyCapsController {
  constructor(private readonly plans: PlansService) {}

  @Get()
  @ApiOperation({ summary: "The cap in force this month and what the month's usage charged" })
  @Answers(200, monthlyCapSchema)
  get(@Param('id') accountId: string) {
    return this.plans.monthlyCap(accountId);
  }

  @Put()
  @AdminOnly()
  @ApiOperation({ summary: "Set the account's own cap, in force instead of its plan's (admin)" })
  @BodyOf(setMonthlyCapSchema)
  @Answers(200, monthlyCapSchema)
  set(@Param('id') accountId: string, @ValidBody(setMonthlyCapSchema) body: SetMonthlyCapRequest) {
    return this.plans.setMonthlyCap(accountId, body);
  }

  @Delete()
  @AdminOnly()
  @ApiOperation({ summary: "Remove the account's own cap: its plan's applies again (admin)" })
  @Answers(200, monthlyCapSchema)
  remove(@Param('id') accountId: string) {
    return this.plans.removeMonthlyCap(accountId);
  }
}
