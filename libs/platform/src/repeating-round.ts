import type { Logger } from '@nestjs/common';

/**
 * A round of background work run every `intervalMs` (never when it is 0), one at a time: a run
 * asked for while one is going joins it. A failed round is logged and the next one runs as usual.
 */
export class RepeatingRound<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly name: string,
    private readonly round: () => Promise<T>,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(
      () =>
        void this.run().catch((error: unknown) =>
          this.logger.error(`${this.name} failed: ${String(error)}`),
        ),
      intervalMs,
    );
    // A round never keeps the process alive on its own.
    this.timer.unref();
  }

  /** Runs a round now, or joins the one running. */
  run(): Promise<T> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  /** No more rounds; waits for the one running, whatever its outcome. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
