import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { ServiceHarness, freePort } from '@tally/testing';

const DATABASE_UP_AFTER_MS = 8_000;

/**
 * libs/platform's README: a failed start (a database not yet up) is tried 5 times in all, 2 s
 * apart, then the process exits. Here PostgreSQL answers only 8 s after the ledger starts, as
 * after a host reboot or a failover.
 */
describe('a ledger started before its database', () => {
  let harness: ServiceHarness;
  let proxy: Server | undefined;
  const sockets = new Set<Socket>();

  afterAll(async () => {
    await harness.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  });

  it('starts once the database answers, within its start attempts', async () => {
    const port = await freePort();
    const real = new URL(process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test');
    const proxied = new URL(real.href);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(port);
    harness = await new ServiceHarness(undefined, { DATABASE_URL: proxied.href }).start();
    setTimeout(() => {
      proxy = createServer((client) => {
        const server = createConnection(Number(real.port || 5432), real.hostname);
        for (const socket of [client, server]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
        }
        client.pipe(server).pipe(client);
      }).listen(port, '127.0.0.1');
    }, DATABASE_UP_AFTER_MS);

    const ledger = await harness.startService('ledger');
    expect(ledger.alive).toBe(true);
    expect(ledger.logs()).toContain('ledger start failed, retrying in 2 s');
  });
});
