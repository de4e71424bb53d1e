import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../src/service.process';

/** Where the kernel picks a port for bind(0) and for an outgoing connection. */
function ephemeralRange(): [number, number] {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return [low!, high!];
}

/**
 * A service process is told its port and binds it seconds later. A port from the kernel's
 * ephemeral range could meanwhile be taken by any other process's bind(0) or outgoing connection:
 * in CI a restarted top-up found its port held by another test's SMTP relay, and its health checks
 * reached that relay.
 */
describe('freePort', () => {
  it('answers ports outside the kernel ephemeral range, free to listen on', async () => {
    const [low, high] = ephemeralRange();
    for (let n = 0; n < 20; n += 1) {
      const port = await freePort();
      expect(port < low || port > high).toBe(true);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => resolve());
      });
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
