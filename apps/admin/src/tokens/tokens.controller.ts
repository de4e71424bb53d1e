import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../access/principal';
import { Answers, BodyOf, QueryOf, ValidBody, ValidQuery } from '../http/zod-schema';
import {
  createTokenSchema,
  createdTokenSchema,
  listTokensQuery,
  tokenPageSchema,
  tokenSchema,
} from './dtos/token.dto';
import type { CreateTokenRequest, ListTokensQuery } from './dtos/token.dto';
import { TokensService } from './tokens.service';

@ApiTags('tokens')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Mint an admin token or a tenant token of one account (shown once)' })
  @BodyOf(createTokenSchema)
  @Answers(201, createdTokenSchema)
  create(@ValidBody(createTokenSchema) body: CreateTokenRequest) {
    return this.tokens.mint(body);
  }

  @Get()
  @ApiOperation({ summary: 'List tokens (never the tokens themselves)' })
  @QueryOf(listTokensQuery)
  @Answers(200, tokenPageSchema)
  list(@ValidQuery(listTokensQuery) query: ListTokensQuery) {
    return this.tokens.list(query);
  }

  @Delete(':token_id')
  @ApiOperation({ summary: 'Revoke a token (within 1 s on every instance)' })
  @Answers(200, tokenSchema)
  revoke(@Param('token_id') tokenId: string) {
    return this.tokens.revoke(tokenId);
  }
}
