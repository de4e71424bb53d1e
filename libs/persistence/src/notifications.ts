import type { ClientBase, Notification } from 'pg';
import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * LISTENs on `channel` on the query runner's own connection and calls `onPayload` with the
 * payload of each notification on it. Returns what stops listening; call it before the runner
 * is released, or the pooled connection would go on receiving. `channel` is an identifier of
 * the code's, never input.
 */
export async function listen(
  runner: QueryRunner,
  channel: string,
  onPayload: (payload: string) => void,
): Promise<() => Promise<void>> {
  const client = (await runner.connect()) as ClientBase;
  const handler = (notification: Notification) => {
    if (notification.channel === channel) onPayload(notification.payload ?? '');
  };
  client.on('notification', handler);
  await runner.query(`LISTEN "${channel}"`);
  return async () => {
    client.off('notification', handler);
    await runner.query(`UNLISTEN "${channel}"`);
  };
}

/** Notifies the listeners of `channel`, once the manager's transaction (if any) commits. */
export async function notify(
  manager: EntityManager,
  channel: string,
  payload: string,
): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', [channel, payload]);
}
