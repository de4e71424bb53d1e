// Integration suites: real Kafka and PostgreSQL (found or started once by the global setup),
// one file at a time per project (infra/test.sh runs two projects at once), generous timeouts.
const path = require('node:path');
const base = require('./jest.preset.js');

module.exports = {
  ...base,
  globalSetup: path.join(__dirname, 'libs/testing/src/integration.global-setup.ts'),
  globalTeardown: path.join(__dirname, 'libs/testing/src/integration.global-teardown.ts'),
  testTimeout: 120_000,
};
