module.exports = {
  displayName: 'messaging:broker-security',
  preset: '../../jest.integration.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/broker-security.integration-spec.ts'],
};
