/**
 * Runs the tasks of one account one after another, in the order they came; tasks of different
 * accounts run side by side. A task that fails does not hold up the ones behind it. An
 * account is forgotten as soon as its last task has settled, so the map holds only accounts
 * with work running or waiting.
 */
export class AccountTurns {
  private readonly tails = new Map<string, Promise<void>>();

  take<T>(accountId: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(accountId) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(accountId, tail);
    void tail.then(() => {
      if (this.tails.get(accountId) === tail) this.tails.delete(accountId);
    });
    return result;
  }

  /** Accounts with a task running or waiting. */
  get busyAccounts(): number {
    return this.tails.size;
  }
}
