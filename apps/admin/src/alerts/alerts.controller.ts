import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Answers, BodyOf, QueryOf, ValidBody, ValidQuery } from '../http/zod-schema';
import { wholeListQuery } from '../http/pagination';
import type { WholeListQuery } from '../http/pagination';
import { AlertsService } from './alerts.service';
import {
  alertPageSchema,
  channelPageSchema,
  channelSchema,
  deliveriesQuery,
  deliveryPageSchema,
  listAlertsQuery,
  setChannelSchema,
} from './dtos/alert.dto';
import type { DeliveriesQuery, ListAlertsQuery, SetChannelRequest } from './dtos/alert.dto';
import { EdgeRoute } from '@tally/platform';

@ApiTags('alerts')
@ApiBearerAuth()
@EdgeRoute({ bearer: true })
@Controller('v1/accounts/:id')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get('alerts')
  @ApiOperation({ summary: 'Alerts fired and resolved, newest first' })
  @QueryOf(listAlertsQuery)
  @Answers(200, alertPageSchema)
  list(@Param('id') accountId: string, @ValidQuery(listAlertsQuery) query: ListAlertsQuery) {
    return this.alerts.list(accountId, query);
  }

  @Get('alert-deliveries')
  @ApiOperation({ summary: 'Deliveries of alerts to channels (alerting.history)' })
  @QueryOf(deliveriesQuery)
  @Answers(200, deliveryPageSchema)
  deliveries(@Param('id') accountId: string, @ValidQuery(deliveriesQuery) query: DeliveriesQuery) {
    return this.alerts.deliveries(accountId, query);
  }

  @Get('alert-channels')
  @ApiOperation({ summary: "The account's alert channels (secrets never shown)" })
  @Answers(200, channelPageSchema)
  channels(@Param('id') accountId: string, @ValidQuery(wholeListQuery) _query: WholeListQuery) {
    return this.alerts.channels(accountId);
  }

  @Put('alert-channels')
  @ApiOperation({ summary: 'Add an alert channel (webhook, Slack, email)' })
  @BodyOf(setChannelSchema)
  @Answers(200, channelSchema)
  addChannel(@Param('id') accountId: string, @ValidBody(setChannelSchema) body: SetChannelRequest) {
    return this.alerts.setChannel(accountId, undefined, body);
  }

  @Get('alert-channels/:channel_id')
  @ApiOperation({ summary: 'One alert channel' })
  @Answers(200, channelSchema)
  channel(@Param('id') accountId: string, @Param('channel_id') channelId: string) {
    return this.alerts.channel(accountId, channelId);
  }

  @Put('alert-channels/:channel_id')
  @ApiOperation({ summary: 'Set an alert channel' })
  @BodyOf(setChannelSchema)
  @Answers(200, channelSchema)
  setChannel(
    @Param('id') accountId: string,
    @Param('channel_id') channelId: string,
    @ValidBody(setChannelSchema) body: SetChannelRequest,
  ) {
    return this.alerts.setChannel(accountId, channelId, body);
  }

  @Delete('alert-channels/:channel_id')
  @ApiOperation({ summary: 'Delete an alert channel' })
  @Answers(200, z.object({ deleted: z.literal(true) }))
  deleteChannel(@Param('id') accountId: string, @Param('channel_id') channelId: string) {
    return this.alerts.deleteChannel(accountId, channelId);
  }
}
