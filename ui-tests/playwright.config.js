/**
 * Galata configuration: Debian's Chromium (Playwright cannot download its own
 * browser here), headless, against a JupyterLab started by `npm start` with
 * the devstack's environment.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

module.exports = {
  ...baseConfig,
  timeout: 120000,
  expect: { timeout: 20000 },
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [[process.env.CI ? 'list' : 'line'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    trace: 'retain-on-failure',
    video: 'off', // needs Playwright's own ffmpeg download, which this machine cannot fetch
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: 'npm start',
    url: 'http://localhost:8888/lab',
    timeout: 180 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
