const { swcOptions } = require('../../swc.options');
const base = require('../../jest.integration.preset.js');

module.exports = {
  displayName: 'admin:integration',
  preset: '../../jest.integration.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  // @fastify/static (the dashboard's files, the API docs) requires content-disposition, which
  // ships ES modules only: Node loads it, Jest's CommonJS runtime needs it compiled.
  transform: {
    ...base.transform,
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', swcOptions('inline')],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};
