import { Body, Controller, Delete, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { describeIssue } from '@tally/budget-domain';
import { EdgeRoute, Principal } from '@tally/platform';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import { AuthorizationsException, AuthorizationsExceptionCode } from './authorizations.exception';
import { ApiKeyGuard, challengeRefusedKey } from './api-key.guard';
import { authorizationRequestSchema } from './authorization.dto';
import { AuthorizationsService } from './authorizations.service';

/** Every route needs an API key, checked at the HTTP edge before the body is read. */
@Controller('v1/authorizations')
@EdgeRoute({ bearer: true })
@UseGuards(ApiKeyGuard)
export class AuthorizationsController {
  constructor(private readonly authorizations: AuthorizationsService) {}

  /** 201 with a reservation, or 402 with the refusal code. */
  @Post()
  async authorize(
    @Principal() principal: ApiKeyPrincipal,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const parsed = authorizationRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.VALIDATION_FAILED,
        describeIssue(parsed.error),
      );
    const outcome = await this.authorizations
      .authorize(principal, parsed.data)
      .catch(challengeRefusedKey(response));
    response.status(outcome.authorized ? 201 : 402);
    return outcome;
  }

  @Delete(':id')
  @HttpCode(204)
  async release(
    @Principal() principal: ApiKeyPrincipal,
    @Param('id') reservationId: string,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<void> {
    const released = await this.authorizations
      .release(principal, reservationId)
      .catch(challengeRefusedKey(response));
    if (!released) {
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.RESERVATION_NOT_FOUND,
        `no held reservation ${reservationId} for this key`,
      );
    }
  }
}
