import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../access/principal';
import { Answers, QueryOf, ValidQuery } from '../http/zod-schema';
import { AnalyticsService } from './analytics.service';
import {
  distributionQuery,
  distributionSchema,
  summaryQuery,
  summarySchema,
  topSpendersQuery,
  topSpendersSchema,
} from './dtos/analytics.dto';
import type { DistributionQuery, SummaryQuery, TopSpendersQuery } from './dtos/analytics.dto';

@ApiTags('analytics')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('summary')
  @ApiOperation({
    summary: 'System summary: accounts, alert levels, credit, usage today and over `days` (admin)',
  })
  @QueryOf(summaryQuery)
  @Answers(200, summarySchema)
  summary(@ValidQuery(summaryQuery) query: SummaryQuery) {
    return this.analytics.summary(query);
  }

  @Get('top-spenders')
  @ApiOperation({
    summary: 'Accounts that spent most over the last `days` UTC days, highest first (admin)',
  })
  @QueryOf(topSpendersQuery)
  @Answers(200, topSpendersSchema)
  topSpenders(@ValidQuery(topSpendersQuery) query: TopSpendersQuery) {
    return this.analytics.topSpenders(query);
  }

  @Get('distribution')
  @ApiOperation({
    summary: 'Spend by service, provider, model, alert level and spend bucket (admin)',
  })
  @QueryOf(distributionQuery)
  @Answers(200, distributionSchema)
  distribution(@ValidQuery(distributionQuery) query: DistributionQuery) {
    return this.analytics.distribution(query);
  }
}
