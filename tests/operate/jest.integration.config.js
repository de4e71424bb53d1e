module.exports = {
  displayName: 'operate',
  preset: '../../jest.integration.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.integration-spec.ts'],
};
