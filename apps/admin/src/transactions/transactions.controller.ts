import { Readable } from 'node:stream';
import { Controller, Get, Param, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { attachmentNamed } from '../http/csv';
import { Answers, QueryOf, ValidQuery } from '../http/zod-schema';
import {
  exportTransactionsQuery,
  listTransactionsQuery,
  transactionPageSchema,
} from './dtos/transaction.dto';
import type { ExportTransactionsQuery, ListTransactionsQuery } from './dtos/transaction.dto';
import { TransactionsService } from './transactions.service';
import { EdgeRoute } from '@tally/platform';

@ApiTags('transactions')
@ApiBearerAuth()
@EdgeRoute({ bearer: true })
@Controller('v1/accounts/:id')
export class TransactionsController {
  constructor(private readonly transactions: TransactionsService) {}

  @Get('transactions')
  @ApiOperation({
    summary:
      'Posted transactions, newest first; each usage with its funding (allowance, credit, bonus, overage)',
  })
  @QueryOf(listTransactionsQuery)
  @Answers(200, transactionPageSchema)
  list(
    @Param('id') accountId: string,
    @ValidQuery(listTransactionsQuery) query: ListTransactionsQuery,
  ) {
    return this.transactions.list(accountId, query);
  }

  @Get('transactions.csv')
  @ApiOperation({
    summary: 'The same transactions as CSV (columns: the JSON field names), streamed',
  })
  @ApiProduces('text/csv')
  @QueryOf(exportTransactionsQuery)
  async exportCsv(
    @Param('id') accountId: string,
    @ValidQuery(exportTransactionsQuery) query: ExportTransactionsQuery,
  ): Promise<StreamableFile> {
    const lines = await this.transactions.exportCsv(accountId, query);
    return new StreamableFile(Readable.from(lines), {
      type: 'text/csv; charset=utf-8',
      disposition: attachmentNamed(`transactions-${accountId}.csv`),
    });
  }
}
