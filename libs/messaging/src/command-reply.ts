import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { z } from 'zod';
import { describeIssue } from '@tally/budget-domain';
import {
  DATABASE_UNAVAILABLE,
  DATABASE_UNAVAILABLE_MESSAGE,
  ServiceException,
  databaseUnavailable,
} from '@tally/platform';
import type { ErrorBody } from '@tally/platform';

const logger = new Logger('CommandReply');

/**
 * Answers a request-reply command (DESIGN 2): the payload is checked against the schema, then
 * handled. A refusal — a payload that does not fit, or a ServiceException — is the reply
 * `{ error_code, message }`; a database down or too slow replies DATABASE_UNAVAILABLE; a fault is logged with an error id and replied as INTERNAL_ERROR
 * without internals, so the caller never waits for a reply that will not come.
 */
export async function answerCommand<S extends z.ZodType, R>(
  schema: S,
  payload: unknown,
  handle: (request: z.infer<S>) => Promise<R>,
): Promise<R | ErrorBody> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    return { error_code: 'VALIDATION_FAILED', message: describeIssue(parsed.error) };
  }
  try {
    return await handle(parsed.data);
  } catch (error) {
    if (error instanceof ServiceException)
      return { error_code: error.code, message: error.message };
    // A caller may send it again once the database answers (admin answers 503).
    if (databaseUnavailable(error)) {
      logger.warn(
        `command failed, database unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { error_code: DATABASE_UNAVAILABLE, message: DATABASE_UNAVAILABLE_MESSAGE };
    }
    const errorId = randomUUID();
    logger.error(
      `command failed, error ${errorId}: ${error instanceof Error ? error.stack : String(error)}`,
    );
    return { error_code: 'INTERNAL_ERROR', message: `internal error ${errorId}` };
  }
}
