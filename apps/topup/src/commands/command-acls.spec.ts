import { missingCommandAcls } from '@tally/testing';
import { TOPUP_COMMAND_PATTERNS } from './commands.module';

describe('the broker in secure mode lets the topup answer its commands (infra/kafka/acls.txt)', () => {
  it('grants it every command topic it reads and every reply topic it writes', () => {
    expect(missingCommandAcls('topup', 'answers', TOPUP_COMMAND_PATTERNS)).toEqual([]);
  });
});
