/** The benchmarks reuse the Galata set-up, with their own folder and no retries. */
const config = require('./playwright.config');

module.exports = { ...config, testDir: './benchmarks', testMatch: '**/*.bench.ts', retries: 0, reporter: [['list']] };
