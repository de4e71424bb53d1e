import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { RuleTester } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import rule from './no-feature-cycles.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.afterAll = after;

// A service on disk: books <- budgets, books <- usage, and one spec that crosses anyway.
const root = path.join(
  mkdtempSync(path.join(tmpdir(), 'feature-cycles-')),
  'apps',
  'ledger',
  'src',
);
const files = {
  'books/books.service.ts': "import { Clock } from '../clock';\nexport class Books {}",
  'budgets/budgets.service.ts':
    "import { Books } from '../books/books.service';\nexport class Budgets {}",
  'usage/usage.consumer.ts': "import { Budgets } from '../budgets/budgets.service';",
  'books/books.spec.ts': "import { Budgets } from '../budgets/budgets.service';",
  'clock.ts': 'export class Clock {}',
};
for (const [name, text] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
  writeFileSync(path.join(root, name), text);
}

new RuleTester({ languageOptions: { parser: tsParser } }).run('no-feature-cycles', rule, {
  valid: [
    {
      filename: path.join(root, 'budgets/budgets.service.ts'),
      code: files['budgets/budgets.service.ts'],
    },
    {
      filename: path.join(root, 'usage/usage.consumer.ts'),
      code: files['usage/usage.consumer.ts'],
    },
    // A root file (module wiring, the clock) is no feature; specs may cross.
    { filename: path.join(root, 'books/books.service.ts'), code: files['books/books.service.ts'] },
    { filename: path.join(root, 'books/books.spec.ts'), code: files['books/books.spec.ts'] },
  ],
  invalid: [
    {
      // books is imported by budgets: importing budgets back closes a circle.
      filename: path.join(root, 'books/books.service.ts'),
      code: "import { Budgets } from '../budgets/budgets.service';",
      errors: [
        {
          messageId: 'cycle',
          data: { from: 'books', to: 'budgets', trail: 'books -> budgets -> books' },
        },
      ],
    },
    {
      // Through another folder: usage -> budgets -> books.
      filename: path.join(root, 'books/books.service.ts'),
      code: "export { recordUsage } from '../usage/usage.consumer';",
      errors: [
        {
          messageId: 'cycle',
          data: { from: 'books', to: 'usage', trail: 'books -> usage -> budgets -> books' },
        },
      ],
    },
  ],
});
