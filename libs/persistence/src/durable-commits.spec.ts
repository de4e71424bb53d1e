import { undurableSetting } from './durable-commits';

describe('undurableSetting (ADR 0057)', () => {
  it('accepts fsync on with every synchronous_commit level that waits for the local flush', () => {
    for (const level of ['on', 'local', 'remote_write', 'remote_apply'])
      expect(undurableSetting({ synchronous_commit: level, fsync: 'on' })).toBeUndefined();
  });

  it('names fsync off, whatever synchronous_commit says, and synchronous_commit off', () => {
    expect(undurableSetting({ synchronous_commit: 'on', fsync: 'off' })).toBe('fsync = off');
    expect(undurableSetting({ synchronous_commit: 'off', fsync: 'off' })).toBe('fsync = off');
    expect(undurableSetting({ synchronous_commit: 'off', fsync: 'on' })).toBe(
      'synchronous_commit = off',
    );
  });
});
