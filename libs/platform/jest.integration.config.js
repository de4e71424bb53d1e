module.exports = {
  displayName: 'platform:integration',
  preset: '../../jest.integration.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
};
