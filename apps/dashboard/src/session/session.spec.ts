import { clearSession, loadSession, saveSession } from './session';

class MemoryStorage implements Storage {
  private readonly values = new Map<string, string>();
  get length() {
    return this.values.size;
  }
  clear() {
    this.values.clear();
  }
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  key(index: number) {
    return [...this.values.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.values.delete(key);
  }
  setItem(key: string, value: string) {
    this.values.set(key, value);
  }
}

describe('the signed-in session', () => {
  it('keeps an admin token and a tenant token with its account', () => {
    const storage = new MemoryStorage();
    saveSession(storage, { token: 'tok_admin', role: 'admin' });
    expect(loadSession(storage)).toEqual({ token: 'tok_admin', role: 'admin' });
    saveSession(storage, { token: 'tok_t', role: 'tenant', accountId: 'acct_1' });
    expect(loadSession(storage)).toEqual({ token: 'tok_t', role: 'tenant', accountId: 'acct_1' });
    clearSession(storage);
    expect(loadSession(storage)).toBeUndefined();
  });

  it('ignores what it did not write: junk, a tenant without account, an empty token', () => {
    const storage = new MemoryStorage();
    for (const junk of [
      '{',
      '"text"',
      '{"token":"","role":"admin"}',
      '{"token":"t","role":"tenant"}',
      '{"token":"t","role":"root"}',
    ]) {
      storage.setItem('tally.dashboard.session', junk);
      expect(loadSession(storage)).toBeUndefined();
    }
  });
});
