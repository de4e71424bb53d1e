import { AccountTurns } from './account-turns';

/** A task that records when it runs and finishes only when the test lets it. */
function gate(log: string[], name: string) {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    open = () => resolve(name);
    fail = reject;
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done.finally(() => log.push(`end ${name}`));
    },
    open,
    fail,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AccountTurns', () => {
  it('runs the tasks of one account one at a time, in the order they came', async () => {
    const turns = new AccountTurns();
    const log: string[] = [];
    const [a, b, c] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'c')];
    const results = [
      turns.take('acct_1', a.task),
      turns.take('acct_1', b.task),
      turns.take('acct_1', c.task),
    ];
    await settle();
    expect(log).toEqual(['start a']);
    c.open();
    b.open();
    await settle();
    expect(log).toEqual(['start a']);
    a.open();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs tasks of different accounts side by side', async () => {
    const turns = new AccountTurns();
    const log: string[] = [];
    const [a, b] = [gate(log, 'a'), gate(log, 'b')];
    const results = [turns.take('acct_1', a.task), turns.take('acct_2', b.task)];
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    expect(turns.busyAccounts).toBe(2);
    b.open();
    a.open();
    expect(await Promise.all(results)).toEqual(['a', 'b']);
  });

  it('hands a failure to its own caller and goes on with the next task', async () => {
    const turns = new AccountTurns();
    const log: string[] = [];
    const [a, b] = [gate(log, 'a'), gate(log, 'b')];
    const first = turns.take('acct_1', a.task);
    const second = turns.take('acct_1', b.task);
    a.fail(new Error('database gone'));
    await expect(first).rejects.toThrow('database gone');
    await settle();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.open();
    await expect(second).resolves.toBe('b');
  });

  it('forgets an account once its last task has settled', async () => {
    const turns = new AccountTurns();
    const log: string[] = [];
    const [a, b] = [gate(log, 'a'), gate(log, 'b')];
    const results = [turns.take('acct_1', a.task), turns.take('acct_1', b.task)];
    expect(turns.busyAccounts).toBe(1);
    a.open();
    await results[0];
    await settle();
    expect(turns.busyAccounts).toBe(1);
    b.fail(new Error('refused'));
    await expect(results[1]).rejects.toThrow('refused');
    await settle();
    expect(turns.busyAccounts).toBe(0);
  });
});
