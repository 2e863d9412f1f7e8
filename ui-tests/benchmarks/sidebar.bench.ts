/**
 * Benchmark: time from opening the sidebar to the first pipeline rows, and the
 * AWS requests one refresh issues, against whatever devstack is running
 * (seeded or --scale). Run with `bash .ci/bench.sh`.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';

import { openProject } from '../tests/helpers';

const RUNS = Number(process.env.BENCH_RUNS || 5);
const LABEL = process.env.BENCH_LABEL || 'seeded';

test.use({ autoGoto: false });

test(`sidebar: first pipeline rows and requests per refresh (${LABEL})`, async ({
  page
}) => {
  test.setTimeout(600000);
  const timings: number[] = [];
  const complete: number[] = [];
  // First load chooses the project (remembered in the settings for the timed runs).
  await page.goto();
  await openProject(page);
  for (let i = 0; i < RUNS; i++) {
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    const panel = page.locator('#sagemaker-mlops-sidebar');
    if (await panel.isVisible()) {
      await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
      await expect(panel).toBeHidden();
    }
    const t0 = Date.now();
    await page.getByRole('tab', { name: 'SageMaker MLOps' }).click();
    await expect(panel.locator('.jp-MLOps-pipeline-row').first()).toBeVisible({
      timeout: 120000
    });
    timings.push(Date.now() - t0);
    // Every pipeline's last execution loaded: the refresh is over.
    await expect(panel.getByText('refreshing…')).toBeHidden({ timeout: 300000 });
    complete.push(Date.now() - t0);
  }
  // Requests of one refresh: count proxied AWS calls after pressing Refresh.
  const calls: string[] = [];
  page.on('request', request => {
    if (request.url().includes('/sagemaker-mlops/aws/')) {
      calls.push(`${request.headers()['x-amz-target'] ?? request.url()}`);
    }
  });
  const panel = page.locator('#sagemaker-mlops-sidebar');
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await expect(panel.getByText('refreshing…')).toBeVisible();
  await expect(panel.getByText('refreshing…')).toBeHidden({ timeout: 300000 });
  await page.waitForTimeout(500);
  const rows = await panel.locator('.jp-MLOps-pipeline-row').count();
  timings.sort((a, b) => a - b);
  complete.sort((a, b) => a - b);
  const result = {
    label: LABEL,
    runs: RUNS,
    firstRowsMs: {
      min: timings[0],
      median: timings[Math.floor(timings.length / 2)],
      max: timings[timings.length - 1]
    },
    allLastExecutionsMs: {
      min: complete[0],
      median: complete[Math.floor(complete.length / 2)],
      max: complete[complete.length - 1]
    },
    requestsPerRefresh: calls.length,
    requestsByOperation: calls.reduce<Record<string, number>>(
      (acc, c) => ((acc[c] = (acc[c] ?? 0) + 1), acc),
      {}
    ),
    renderedPipelineRows: rows
  };
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync(
    `test-results/bench-${LABEL}.json`,
    JSON.stringify(result, null, 2)
  );
  console.log(`BENCH ${JSON.stringify(result)}`);
});
