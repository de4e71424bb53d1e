import { missingCommandAcls } from '@tally/testing';
import { ADMIN_COMMAND_PATTERNS } from './command-patterns';

describe('the broker in secure mode lets admin send its commands (infra/kafka/acls.txt)', () => {
  it('grants it every command topic it writes and every reply topic it reads', () => {
    expect(missingCommandAcls('admin', 'sends', ADMIN_COMMAND_PATTERNS)).toEqual([]);
  });
});
