import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';
import { freePort } from './service.process';

/**
 * A TCP proxy in front of a dependency (PostgreSQL, a broker) that a test takes down and brings
 * back without touching the shared server: `refuse` is a host whose port is closed, `stall` one
 * that takes connections and never answers (a partition), `restore` the dependency back.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private mode: 'forward' | 'stall' = 'forward';

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A proxy on a free port of 127.0.0.1 to `host:port`, forwarding from the start. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.listen();
    return proxy;
  }

  /** A proxy to the host and port of a postgres:// URL, and the same URL through it. */
  static async toDatabase(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
    const real = new URL(databaseUrl);
    const proxy = await TcpProxy.start({ host: real.hostname, port: Number(real.port || 5432) });
    const proxied = new URL(real.href);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    return { proxy, url: proxied.href };
  }

  /**
   * A kafkajs socket factory that opens every broker connection through this proxy, whatever
   * host and port the metadata names (one broker): the service loses and regains its broker
   * while the broker itself keeps running for everyone else.
   */
  kafkaSocketFactory(): ISocketFactory {
    return ({ onConnect }) => {
      const socket = createConnection({ host: '127.0.0.1', port: this.port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    };
  }

  /** Connections are refused and open ones cut, as when the server is down. */
  async refuse(): Promise<void> {
    this.cut();
    await this.close();
  }

  /** Open connections are cut; new ones are taken and never answered. */
  async stall(): Promise<void> {
    this.cut();
    this.mode = 'stall';
    if (!this.server) await this.listen();
  }

  /** The dependency answers again (new connections; the cut ones stay cut). */
  async restore(): Promise<void> {
    this.cut();
    this.mode = 'forward';
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    this.cut();
    await this.close();
  }

  private cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  private close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.mode === 'stall') return;
    const upstream = createConnection(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream).pipe(client);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
