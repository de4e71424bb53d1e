import { missingCommandAcls } from '@tally/testing';
import { LEDGER_COMMAND_PATTERNS } from './commands.module';

describe('the broker in secure mode lets the ledger answer its commands (infra/kafka/acls.txt)', () => {
  it('grants it every command topic it reads and every reply topic it writes', () => {
    expect(missingCommandAcls('ledger', 'answers', LEDGER_COMMAND_PATTERNS)).toEqual([]);
  });
});
