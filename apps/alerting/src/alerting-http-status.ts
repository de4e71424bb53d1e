import type { HttpStatusOf } from '@tally/platform';
import type { ChannelsExceptionCode } from './channels/channels.exception';
import type { DeliveriesExceptionCode } from './deliveries/deliveries.exception';

/** Every code an alerting feature raises; the compiler checks the table below names each. */
type AlertingExceptionCode = `${ChannelsExceptionCode}` | `${DeliveriesExceptionCode}`;

/** The HTTP status of each refusal (commands reply with the code alone; HTTP serves health and metrics). */
export const ALERTING_HTTP_STATUS: HttpStatusOf<AlertingExceptionCode> = {
  VALIDATION_FAILED: 422,
  INVALID_URL: 422,
  URL_NOT_ALLOWED: 422,
  INVALID_EMAIL: 422,
  EMAIL_NOT_CONFIGURED: 422,
  INVALID_CURSOR: 422,
  CHANNEL_NOT_FOUND: 404,
  TOO_MANY_CHANNELS: 409,
};
