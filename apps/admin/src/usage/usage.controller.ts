import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Answers, QueryOf, ValidQuery } from '../http/zod-schema';
import { usageAnswerSchema, usageQuery } from './dtos/usage.dto';
import type { UsageQuery } from './dtos/usage.dto';
import { UsageService } from './usage.service';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1/accounts/:id/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({
    summary:
      'Usage grouped by day (UTC), model, provider, api_key and/or service in [from, to): cost as the ledger charged it, tokens, requests',
  })
  @QueryOf(usageQuery)
  @Answers(200, usageAnswerSchema)
  read(@Param('id') accountId: string, @ValidQuery(usageQuery) query: UsageQuery) {
    return this.usage.usage(accountId, query);
  }
}
