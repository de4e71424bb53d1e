// Shared Jest settings: SWC transpiles TypeScript (with the decorator metadata NestJS and
// TypeORM need); @tally/<lib> resolves to each library's single public entry.
const path = require('node:path');

const libs = ['budget-domain', 'client', 'messaging', 'persistence', 'platform', 'testing'];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
          // Rewritten at compile time too, so code Jest loads outside its registry
          // (globalSetup) resolves the aliases.
          baseUrl: __dirname,
          paths: Object.fromEntries(libs.map((lib) => [`@tally/${lib}`, [`libs/${lib}/src/index.ts`]])),
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((lib) => [`^@tally/${lib}$`, path.join(__dirname, 'libs', lib, 'src', 'index.ts')]),
  ),
};
