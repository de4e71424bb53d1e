module.exports = {
  displayName: 'messaging:integration',
  preset: '../../jest.integration.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  // Starts a broker of its own (secure mode): its own target, messaging:broker-security.
  testPathIgnorePatterns: ['/broker-security\\.integration-spec\\.ts$'],
};
