const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

// ES modules in node_modules that jest must transform for the DOM project.
const esModules = [
  '@codemirror',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyter/ydoc',
  '@microsoft/fast-',
  'exenv-es6',
  '@jupyterlab/',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

// Project-level options only: the shared ones are set once below.
const { coverageDirectory, coverageReporters, reporters, testTimeout, ...baseConfig } = jestJupyterLab(__dirname);
const ignored = ['<rootDir>/.venv/', '<rootDir>/.devstack/', '<rootDir>/python-server/', '<rootDir>/ui-tests/', '<rootDir>/lib/'];

/** Plain Node for the host-agnostic core and the AWS SDK (`*.node.spec.ts`). */
const nodeProject = {
  displayName: 'node',
  testEnvironment: 'node',
  testRegex: 'src/__tests__/.*\\.node\\.spec\\.ts$',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: './tsconfig.test.json' }] },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json', 'node'],
  modulePathIgnorePatterns: ignored
};

/** JupyterLab's DOM environment for widgets, models and plugins (`*.spec.ts(x)`). */
const domProject = {
  ...baseConfig,
  displayName: 'dom',
  automock: false,
  modulePathIgnorePatterns: ignored,
  testRegex: 'src/__tests__/.*(?<!\\.node)\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};

module.exports = {
  projects: [nodeProject, domProject],
  testTimeout,
  coverageDirectory,
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts'],
  coverageReporters: ['lcov', 'text']
};
