import {
  Body,
  Controller,
  Delete,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { describeIssue } from '@tally/budget-domain';
import { AuthorizationsException, AuthorizationsExceptionCode } from './authorizations.exception';
import { ApiKeyGuard } from './api-key.guard';
import type { AuthenticatedRequest } from './api-key.guard';
import { authorizationRequestSchema } from './authorization.dto';
import { AuthorizationsService } from './authorizations.service';

@Controller('v1/authorizations')
@UseGuards(ApiKeyGuard)
export class AuthorizationsController {
  constructor(private readonly authorizations: AuthorizationsService) {}

  /** 201 with a reservation, or 402 with the refusal code. */
  @Post()
  async authorize(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const parsed = authorizationRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.VALIDATION_FAILED,
        describeIssue(parsed.error),
      );
    const outcome = await this.authorizations.authorize(request.principal, parsed.data);
    response.status(outcome.authorized ? 201 : 402);
    return outcome;
  }

  @Delete(':id')
  @HttpCode(204)
  async release(
    @Req() request: AuthenticatedRequest,
    @Param('id') reservationId: string,
  ): Promise<void> {
    if (!(await this.authorizations.release(request.principal, reservationId))) {
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.RESERVATION_NOT_FOUND,
        `no held reservation ${reservationId} for this key`,
      );
    }
  }
}
