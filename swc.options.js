// How TypeScript becomes JavaScript here, for Jest (jest.preset.js) and the service build
// (infra/build.js): SWC with the decorator metadata NestJS and TypeORM need, and the
// @tally/<lib> aliases rewritten to relative paths at compile time.
const LIBS = ['budget-domain', 'client', 'messaging', 'persistence', 'platform', 'testing'];

/** SWC options; `sourceMaps` as SWC takes it ('inline' for Jest, true for files beside the output). */
function swcOptions(sourceMaps) {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: __dirname,
      paths: Object.fromEntries(LIBS.map((lib) => [`@tally/${lib}`, [`libs/${lib}/src/index.ts`]])),
    },
    module: { type: 'commonjs' },
    sourceMaps,
  };
}

module.exports = { LIBS, swcOptions };
