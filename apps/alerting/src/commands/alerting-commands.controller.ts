import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { answerCommand } from '@tally/messaging';
import { ChannelsService } from '../channels/channels.service';
import {
  accountId,
  deleteChannelRequest,
  listChannelsRequest,
  setChannelRequest,
} from '../channels/dtos/channel.dto';
import { DeliveryHistory } from '../deliveries/delivery-history.service';

const historyRequest = z.object({
  account_id: accountId,
  cursor: z.string().max(512).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

/**
 * Alerting's commands over Kafka request-reply (DESIGN 2). A refusal replies
 * `{ error_code, message }`; a channel's signing secret is shown only in the reply that
 * generated it.
 */
@Controller()
export class AlertingCommandsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly history: DeliveryHistory,
  ) {}

  @MessagePattern('alerting.set-channel')
  setChannel(@Payload() payload: unknown) {
    return answerCommand(setChannelRequest, payload, (request) =>
      this.channels.setChannel(request),
    );
  }

  @MessagePattern('alerting.list-channels')
  listChannels(@Payload() payload: unknown) {
    return answerCommand(listChannelsRequest, payload, (request) =>
      this.channels.listChannels(request.account_id),
    );
  }

  @MessagePattern('alerting.delete-channel')
  deleteChannel(@Payload() payload: unknown) {
    return answerCommand(deleteChannelRequest, payload, (request) =>
      this.channels.deleteChannel(request.account_id, request.channel_id),
    );
  }

  @MessagePattern('alerting.history')
  alertHistory(@Payload() payload: unknown) {
    return answerCommand(historyRequest, payload, (request) =>
      this.history.history(request.account_id, request.cursor, request.limit),
    );
  }
}
