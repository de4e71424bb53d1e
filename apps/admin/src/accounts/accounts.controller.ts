import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../access/principal';
import { Answers, BodyOf, QueryOf, ValidBody, ValidQuery } from '../http/zod-schema';
import { AccountsService } from './accounts.service';
import {
  accountPageSchema,
  accountSchema,
  createAccountSchema,
  listAccountsQuery,
} from './dtos/account.dto';
import type { CreateAccountRequest, ListAccountsQuery } from './dtos/account.dto';
import { EdgeRoute } from '@tally/platform';

@ApiTags('accounts')
@ApiBearerAuth()
@EdgeRoute({ bearer: true })
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'List accounts with their balance and alert level (admin)' })
  @QueryOf(listAccountsQuery)
  @Answers(200, accountPageSchema)
  list(@ValidQuery(listAccountsQuery) query: ListAccountsQuery) {
    return this.accounts.list(query);
  }

  @Post()
  @HttpCode(201)
  @AdminOnly()
  @ApiOperation({
    summary:
      'Create an account in the ledger (admin); creating it again changes nothing and answers it as it is',
  })
  @BodyOf(createAccountSchema)
  @Answers(201, accountSchema)
  create(@ValidBody(createAccountSchema) body: CreateAccountRequest) {
    return this.accounts.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an account with its balance and auto top-up state' })
  @Answers(200, accountSchema)
  read(@Param('id') accountId: string) {
    return this.accounts.read(accountId);
  }
}
