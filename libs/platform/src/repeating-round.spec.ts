import { Logger } from '@nestjs/common';
import { RepeatingRound } from './repeating-round';

describe('RepeatingRound', () => {
  const logger = new Logger('test');

  it('runs one round at a time: a run asked for meanwhile joins the one going', async () => {
    let rounds = 0;
    let finish: (value: number) => void = () => undefined;
    const round = new RepeatingRound(
      'round',
      () => {
        rounds += 1;
        return new Promise<number>((resolve) => (finish = resolve));
      },
      logger,
    );
    const first = round.run();
    const second = round.run();
    expect(rounds).toBe(1);
    finish(7);
    await expect(Promise.all([first, second])).resolves.toEqual([7, 7]);
    const third = round.run();
    expect(rounds).toBe(2);
    finish(8);
    await expect(third).resolves.toBe(8);
  });

  it('logs a failed round and runs the next one on the interval', async () => {
    jest.useFakeTimers();
    try {
      const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
      let rounds = 0;
      const round = new RepeatingRound(
        'the sweep',
        () => {
          rounds += 1;
          return rounds === 1 ? Promise.reject(new Error('lost')) : Promise.resolve(rounds);
        },
        logger,
      );
      round.start(1_000);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(error).toHaveBeenCalledWith('the sweep failed: Error: lost');
      await jest.advanceTimersByTimeAsync(1_000);
      expect(rounds).toBe(2);
      await round.stop();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(rounds).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('never starts on an interval of 0, and still runs when asked', async () => {
    jest.useFakeTimers();
    try {
      let rounds = 0;
      const round = new RepeatingRound('off', () => Promise.resolve((rounds += 1)), logger);
      round.start(0);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(rounds).toBe(0);
      await expect(round.run()).resolves.toBe(1);
      await round.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('stop waits for the round running, and does not throw its error', async () => {
    let fail: (error: Error) => void = () => undefined;
    const round = new RepeatingRound(
      'round',
      () => new Promise<number>((_, reject) => (fail = reject)),
      logger,
    );
    const running = round.run();
    let stopped = false;
    const stopping = round.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    fail(new Error('gone'));
    await expect(running).rejects.toThrow('gone');
    await stopping;
    expect(stopped).toBe(true);
  });
});
