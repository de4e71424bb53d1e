import { Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminOnly } from '../access/principal';
import { Answers, BodyOf, ValidBody } from '../http/zod-schema';
import { CreditsService } from './credits.service';
import type { CreditTransaction } from './credits.service';
import { creditTransactionSchema, grantCreditSchema } from './dtos/credit.dto';
import type { GrantCreditRequest } from './dtos/credit.dto';

@ApiTags('credits')
@ApiBearerAuth()
@Controller('v1/accounts/:id/credits')
export class CreditsController {
  constructor(private readonly credits: CreditsService) {}

  @Post()
  @AdminOnly()
  @ApiOperation({
    summary:
      'Grant, bonus or refund credit (admin): 201 with the posted transaction, 200 with the same one for a repeat of the request under its idempotency key',
  })
  @BodyOf(grantCreditSchema)
  @Answers(201, creditTransactionSchema, 'posted')
  @Answers(200, creditTransactionSchema, 'posted before under this idempotency key')
  async grant(
    @Param('id') accountId: string,
    @ValidBody(grantCreditSchema) body: GrantCreditRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreditTransaction> {
    const { created, transaction } = await this.credits.grant(accountId, body);
    void reply.status(created ? 201 : 200);
    return transaction;
  }
}
