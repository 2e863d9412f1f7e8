/**
 * Galata configuration: Debian's Chromium (Playwright cannot download its own
 * browser here), headless, against two JupyterLabs started with the devstack's
 * environment: the data scientist's (`npm start`, port 8888) and the
 * approver's (`npm run start:approver`, port 8889).
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// Ports: 8888 and 8889 unless MLOPS_LAB_PORT / MLOPS_APPROVER_PORT say otherwise.
const labPort = process.env.MLOPS_LAB_PORT || '8888';
const approverPort = process.env.MLOPS_APPROVER_PORT || '8889';
// Extra `jupyter lab` arguments for both servers, e.g. `--collaborative` (.ci/matrix.sh).
const labArgs = process.env.MLOPS_LAB_ARGS || '';
// The servers' environment as in Studio: without the FORCE_COLOR (and DEBUG_COLORS) Playwright gives the
// processes it starts. Passed on to the installers, FORCE_COLOR makes pip style its JSON dry-run report with
// terminal escapes, which the packages planner cannot read.
const start = 'env -u FORCE_COLOR -u DEBUG_COLORS npm';

// Tests of something the main environment lacks carry its tag (`@notebook7`, `@jupyterlab-git`, `@collaborative`) and run only
// where it is installed: MLOPS_LAB_EXTRAS lists what the servers' environment has (.ci/matrix.sh sets it).
const extras = (process.env.MLOPS_LAB_EXTRAS || '').split(/[\s,]+/);
const absent = ['notebook7', 'jupyterlab-git', 'collaborative'].filter(
  e => !extras.includes(e)
);

module.exports = {
  ...baseConfig,
  timeout: 120000,
  expect: { timeout: 20000 },
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  grepInvert: absent.length
    ? new RegExp(absent.map(e => `@${e}\\b`).join('|'))
    : undefined,
  reporter: [[process.env.CI ? 'list' : 'line'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${labPort}`,
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
  // Two JupyterLabs, each signing with its own AWS identity (the browser never holds credentials): the data
  // scientist's (the default baseURL) and the approver's (a spec opts in with `test.use({ baseURL: APPROVER_URL })`).
  webServer: [
    {
      command: `${start} start -- ${labArgs}`,
      url: `http://localhost:${labPort}/lab`,
      timeout: 180 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      command: `${start} run start:approver -- ${labArgs}`,
      url: `http://localhost:${approverPort}/lab`,
      timeout: 180 * 1000,
      reuseExistingServer: !process.env.CI
    }
  ]
};
