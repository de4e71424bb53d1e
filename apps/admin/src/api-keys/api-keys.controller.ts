import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Answers, BodyOf, QueryOf, ValidBody, ValidQuery } from '../http/zod-schema';
import { ApiKeysService } from './api-keys.service';
import {
  apiKeyPageSchema,
  apiKeySchema,
  createApiKeySchema,
  createdApiKeySchema,
  listApiKeysQuery,
} from './dtos/api-key.dto';
import type { CreateApiKeyRequest, ListApiKeysQuery } from './dtos/api-key.dto';
import { EdgeRoute } from '@tally/platform';

@ApiTags('api-keys')
@ApiBearerAuth()
@EdgeRoute({ bearer: true })
@Controller('v1/accounts/:id/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key; its secret is in this answer only' })
  @BodyOf(createApiKeySchema)
  @Answers(201, createdApiKeySchema)
  create(@Param('id') accountId: string, @ValidBody(createApiKeySchema) body: CreateApiKeyRequest) {
    return this.apiKeys.create(accountId, body);
  }

  @Get()
  @ApiOperation({ summary: "List the account's API keys, masked, newest first" })
  @QueryOf(listApiKeysQuery)
  @Answers(200, apiKeyPageSchema)
  list(@Param('id') accountId: string, @ValidQuery(listApiKeysQuery) query: ListApiKeysQuery) {
    return this.apiKeys.list(accountId, query);
  }

  @Delete(':key_id')
  @ApiOperation({ summary: 'Revoke an API key (refused by the ledger from then on)' })
  @Answers(200, apiKeySchema)
  revoke(@Param('id') accountId: string, @Param('key_id') apiKeyId: string) {
    return this.apiKeys.revoke(accountId, apiKeyId);
  }
}
