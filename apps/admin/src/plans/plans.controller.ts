import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EdgeRoute } from '@tally/platform';
import { AdminOnly } from '../access/principal';
import { wholeListQuery } from '../http/pagination';
import type { WholeListQuery } from '../http/pagination';
import { Answers, BodyOf, ValidBody, ValidParam, ValidQuery } from '../http/zod-schema';
import {
  assignPlanSchema,
  namedPlanSchema,
  planAssignmentSchema,
  planNameSchema,
  planPageSchema,
  planSchema,
  setPlanSchema,
} from './dtos/plan.dto';
import type { AssignPlanRequest, NamedPlanRequest, SetPlanRequest } from './dtos/plan.dto';
import { PlansService } from './plans.service';

@ApiTags('plans')
@ApiBearerAuth()
@EdgeRoute({ bearer: true })
@AdminOnly()
@Controller('v1')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Get('plans')
  @ApiOperation({ summary: 'Every plan (admin)' })
  @Answers(200, planPageSchema)
  list(@ValidQuery(wholeListQuery) _query: WholeListQuery) {
    return this.plans.list();
  }

  @Get('plans/:name')
  @ApiOperation({ summary: 'One plan (admin)' })
  @Answers(200, planSchema)
  get(@ValidParam('name', planNameSchema) name: string) {
    return this.plans.get(name);
  }

  @Put('plans/:name')
  @ApiOperation({ summary: 'Create or replace a plan as a whole (admin)' })
  @BodyOf(setPlanSchema)
  @Answers(200, planSchema)
  set(
    @ValidParam('name', planNameSchema) name: string,
    @ValidBody(setPlanSchema) body: SetPlanRequest,
  ) {
    return this.plans.setPlan(name, body);
  }

  @Put('plans')
  @ApiOperation({ summary: 'Create or replace the plan the body names, as a whole (admin)' })
  @BodyOf(namedPlanSchema)
  @Answers(200, planSchema)
  setNamed(@ValidBody(namedPlanSchema) body: NamedPlanRequest) {
    const { name, ...terms } = body;
    return this.plans.setPlan(name, terms);
  }

  @Put('accounts/:id/plan')
  @ApiOperation({
    summary:
      "Put the account on a plan (admin); its included allowance becomes the account's monthly budget when it has none",
  })
  @BodyOf(assignPlanSchema)
  @Answers(200, planAssignmentSchema)
  assign(@Param('id') accountId: string, @ValidBody(assignPlanSchema) body: AssignPlanRequest) {
    return this.plans.assign(accountId, body);
  }
}
