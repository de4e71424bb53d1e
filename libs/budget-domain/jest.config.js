module.exports = {
  displayName: 'budget-domain',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  collectCoverageFrom: [
    '<rootDir>/src/**/*.ts',
    '!<rootDir>/src/**/*.spec.ts',
    '!<rootDir>/src/**/*.fixtures.ts',
    '!<rootDir>/src/index.ts',
  ],
  coverageDirectory: '../../coverage/libs/budget-domain',
  coverageThreshold: { global: { statements: 95, branches: 95, functions: 95, lines: 95 } },
};
