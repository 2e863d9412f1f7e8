/** Integration tests: the core services over the real AWS SDK against a running devstack (env from its env file). */
module.exports = {
  displayName: 'devstack',
  testEnvironment: 'node',
  testRegex: 'src/__tests__/integration/.*\\.itest\\.ts$',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: './tsconfig.test.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  testTimeout: 60000,
  maxWorkers: 1,
  modulePathIgnorePatterns: ['<rootDir>/.venv/', '<rootDir>/.devstack/', '<rootDir>/python-server/', '<rootDir>/ui-tests/', '<rootDir>/lib/']
};
