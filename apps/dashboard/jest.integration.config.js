// The browser tests: admin and the services it reads from run as processes on the real
// broker and database; Chromium drives the dashboard admin serves.
const path = require('node:path');
const base = require('../../jest.integration.preset.js');

module.exports = {
  ...base,
  displayName: 'dashboard:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  globalSetup: path.join(__dirname, 'test/browser.global-setup.ts'),
  testTimeout: 300_000,
};
