// Shared Jest settings: SWC transpiles TypeScript (with the decorator metadata NestJS and
// TypeORM need); @tally/<lib> resolves to each library's single public entry.
const path = require('node:path');

const { LIBS, swcOptions } = require('./swc.options');

module.exports = {
  testEnvironment: 'node',
  // Aliases are rewritten at compile time too, so code Jest loads outside its registry
  // (globalSetup) resolves them.
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions('inline')] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    LIBS.map((lib) => [`^@tally/${lib}$`, path.join(__dirname, 'libs', lib, 'src', 'index.ts')]),
  ),
};
