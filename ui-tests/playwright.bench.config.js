/** The benchmarks reuse the Galata set-up, with their own folder and no retries; only the data scientist's
 * JupyterLab runs (a second, idle server would only compete for the machine). */
const config = require('./playwright.config');

module.exports = {
  ...config,
  testDir: './benchmarks',
  testMatch: '**/*.bench.ts',
  retries: 0,
  reporter: [['list']],
  webServer: config.webServer[0]
};
