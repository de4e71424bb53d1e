import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EdgeRoute } from '@tally/platform';
import { AdminOnly } from '../access/principal';
import { Answers, QueryOf, ValidQuery } from '../http/zod-schema';
import { DeadLettersService } from './dead-letters.service';
import { deadLetterPageSchema, listDeadLettersQuery } from './dtos/dead-letter.dto';
import type { ListDeadLettersQuery } from './dtos/dead-letter.dto';

@ApiTags('dead letters')
@ApiBearerAuth()
@AdminOnly()
@EdgeRoute({ bearer: true })
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({
    summary: 'Records a service could not use, with the reason and the original bytes (admin)',
  })
  @QueryOf(listDeadLettersQuery)
  @Answers(200, deadLetterPageSchema)
  list(@ValidQuery(listDeadLettersQuery) query: ListDeadLettersQuery) {
    return this.deadLetters.list(query);
  }
}
