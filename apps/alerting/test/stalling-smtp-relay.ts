import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * An SMTP relay on a free local port, speaking just enough SMTP for nodemailer, that can stall
 * a session the way a tarpit does: it answers EHLO one line at a time, a line every 100 ms for
 * `stallMs(session)`, so no single wait is long enough for a socket timeout. It keeps each
 * message it accepted (after the final dot) and counts sessions, and sessions open at once.
 */
export class StallingSmtpRelay {
  /** The raw messages accepted, in order. */
  readonly accepted: string[] = [];
  /** When each session connected (Date.now()). */
  readonly sessionsStartedAt: number[] = [];
  maxOpen = 0;
  private open = 0;
  private readonly server: Server = createServer((socket) => this.session(socket));

  /** `stallMs(n)`: how long session n (0 first) trickles its EHLO answer. */
  constructor(private readonly stallMs: (session: number) => number) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private session(socket: Socket): void {
    const stallMs = this.stallMs(this.sessionsStartedAt.length);
    this.sessionsStartedAt.push(Date.now());
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    let trickle: NodeJS.Timeout | undefined;
    let pending = '';
    let data: string[] | undefined;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(trickle);
      this.open -= 1;
    });
    const reply = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    const command = (line: string) => {
      if (data) {
        if (line === '.') {
          this.accepted.push(data.join('\r\n'));
          data = undefined;
          return reply('250 2.0.0 queued');
        }
        return void data.push(line.startsWith('..') ? line.slice(1) : line);
      }
      const verb = line.slice(0, 4).toUpperCase();
      switch (verb) {
        case 'EHLO':
        case 'HELO': {
          if (stallMs <= 0) return reply('250 relay.test');
          const until = Date.now() + stallMs;
          reply('250-relay.test');
          trickle = setInterval(() => {
            if (Date.now() < until) return reply('250-TARPIT');
            clearInterval(trickle);
            reply('250 SMTPUTF8');
          }, 100);
          return;
        }
        case 'MAIL':
        case 'RCPT':
        case 'RSET':
        case 'NOOP':
          return reply('250 2.0.0 ok');
        case 'DATA':
          data = [];
          return reply('354 go ahead');
        case 'QUIT':
          reply('221 bye');
          return void socket.end();
        default:
          return reply('502 5.5.2 not here');
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        command(line);
      }
    });
    reply('220 relay.test ESMTP');
  }
}
